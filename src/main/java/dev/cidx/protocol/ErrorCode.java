package dev.cidx.protocol;

import java.util.Optional;

/**
 * Every JSON-RPC error code the daemon answers with, in one place. The standard codes keep their
 * JSON-RPC 2.0 meaning; cidx's own sit in the "server error" range -32000 to -32099.
 *
 * <p>A client decides what to do from the code alone: {@link #REQUEST_TOO_LARGE} and {@link #PARSE_ERROR}
 * close the connection; {@link #SHUTTING_DOWN} means "start a new daemon and retry", {@link #VERSION_MISMATCH}
 * "replace the daemon and retry", {@link #WRITING} "leave it running: wait for it or run standalone"; the search codes
 * carry a message written for the user and are printed as they are.
 */
public enum ErrorCode {
  PARSE_ERROR(-32700),
  INVALID_REQUEST(-32600),
  METHOD_NOT_FOUND(-32601),
  INVALID_PARAMS(-32602),
  INTERNAL_ERROR(-32603),
  /** The request line was longer than {@link JsonLines#MAX_REQUEST_BYTES}; the connection is closed. */
  REQUEST_TOO_LARGE(-32001),
  /** The daemon is stopping and takes no new requests; start a new one and retry. */
  SHUTTING_DOWN(-32002),
  /** The daemon already serves as many connections as it allows. */
  TOO_MANY_CONNECTIONS(-32003),
  /** The client runs another cidx or protocol version: stop this daemon, start one of its own and retry. */
  VERSION_MISMATCH(-32004),
  /** There is no index yet: run {@code cidx index}. */
  NO_INDEX(-32010),
  /** The index could not be read; re-index. */
  DAMAGED_INDEX(-32011),
  /** The index was built with another embedding model than the configured one. */
  MODEL_MISMATCH(-32012),
  /** The query itself is invalid (a bad regex or glob). */
  BAD_QUERY(-32013),
  /** An index run is in progress and this request cannot follow it (it asked for {@code --clear}, the run did not). */
  INDEXING_RUNNING(-32014),
  /** The index run failed; the message says why and what to do (the last commit stays in service). */
  INDEX_FAILED(-32015),
  /**
   * A {@code shutdown} with {@code unless_writing} was refused: the daemon is writing the index (an index
   * run, a watch, or changes accepted and not yet indexed), and stopping would lose that work.
   */
  WRITING(-32016),
  /** The query ran past {@code daemon.query_timeout_seconds} and was cancelled; narrow it or raise the budget. */
  QUERY_TIMEOUT(-32017);

  private final int code;

  ErrorCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static Optional<ErrorCode> of(int code) {
    for (ErrorCode c : values()) {
      if (c.code == code) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
