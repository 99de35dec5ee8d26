package dev.cidx.daemon;

import java.util.OptionalLong;

/** Another daemon holds this repository's lock; this one did not start. Not an error for the user. */
public final class DaemonAlreadyRunningException extends Exception {
  private final transient OptionalLong pid;

  DaemonAlreadyRunningException(String repo, OptionalLong pid) {
    super("a cidx daemon is already running for " + repo
        + (pid.isPresent() ? " (pid " + pid.getAsLong() + ")" : ""));
    this.pid = pid;
  }

  /** The running daemon's pid, as written in its lock file. */
  public OptionalLong pid() {
    return pid;
  }
}
