package dev.cidx.client;

/**
 * No daemon could be reached, or it went away: start a daemon and retry, or run the command standalone.
 * The one exception the bounded retry loop in {@link DaemonStarter} catches. The message is one line.
 */
public class DaemonUnavailableException extends Exception {
  public DaemonUnavailableException(String message) {
    super(message);
  }

  public DaemonUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
