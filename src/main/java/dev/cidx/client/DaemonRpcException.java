package dev.cidx.client;

import dev.cidx.protocol.ErrorCode;
import java.util.Optional;

/**
 * The daemon answered a request with a JSON-RPC error. {@link #code()} is the raw code;
 * {@link #errorCode()} the known {@link ErrorCode} it stands for. The message is the daemon's, written for
 * the user (for example "no index: run `cidx index`").
 */
public final class DaemonRpcException extends Exception {
  private final int code;

  public DaemonRpcException(int code, String message) {
    super(message);
    this.code = code;
  }

  public int code() {
    return code;
  }

  public Optional<ErrorCode> errorCode() {
    return ErrorCode.of(code);
  }
}
