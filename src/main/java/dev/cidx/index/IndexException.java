package dev.cidx.index;

/** Indexing cannot proceed for a reason the user can act on; the message is one line and says how. */
public final class IndexException extends Exception {
  public IndexException(String message) {
    super(message);
  }

  public IndexException(String message, Throwable cause) {
    super(message, cause);
  }
}
