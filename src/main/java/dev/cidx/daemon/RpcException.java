package dev.cidx.daemon;

import dev.cidx.protocol.ErrorCode;

/** Thrown by a method handler to answer with a specific error code and message. */
final class RpcException extends RuntimeException {
  private final ErrorCode code;

  RpcException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  ErrorCode code() {
    return code;
  }
}
