package dev.cidx.embed;

/**
 * The model could not be loaded or run. The message is one line that says what failed and, where there
 * is one, what to do about it; the cause carries the detail.
 */
public final class EmbeddingException extends RuntimeException {
  public EmbeddingException(String message, Throwable cause) {
    super(message, cause);
  }

  public EmbeddingException(String message) {
    super(message);
  }
}
