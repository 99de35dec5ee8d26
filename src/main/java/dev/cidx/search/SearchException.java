package dev.cidx.search;

/**
 * A query could not be answered for a reason the user can act on: no index, a damaged index, a model
 * mismatch, an invalid regex or glob. The message is one line and says what to do.
 */
public class SearchException extends Exception {
  /** Why the query failed; the daemon maps each to a JSON-RPC error code. */
  public enum Reason { NO_INDEX, DAMAGED_INDEX, MODEL_MISMATCH, BAD_QUERY, TIMEOUT, INTERNAL }

  private final Reason reason;

  public SearchException(Reason reason, String message) {
    this(reason, message, null);
  }

  public SearchException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
