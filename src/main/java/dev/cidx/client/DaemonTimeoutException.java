package dev.cidx.client;

/**
 * The daemon took a request but did not answer in time. Unlike other {@link DaemonUnavailableException}s
 * this is not a reason to start another daemon or to run the command again standalone: the same request
 * would most likely hang again, and the user would wait twice. The message is one line.
 */
public final class DaemonTimeoutException extends DaemonUnavailableException {
  public DaemonTimeoutException(String message) {
    super(message);
  }
}
