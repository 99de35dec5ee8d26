package dev.cidx.config;

/** The configuration file is missing, unreadable or invalid; the message says which and where. */
public final class ConfigException extends Exception {
  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
