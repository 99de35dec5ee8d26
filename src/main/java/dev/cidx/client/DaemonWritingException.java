package dev.cidx.client;

/**
 * A daemon of another version could not be replaced because it is writing the index: an index run (which
 * {@link #indexing()} tells), a watch, or changes it accepted and has not indexed yet. It is left running,
 * so no other client's work is cancelled; the caller waits for the run or works standalone, and says which.
 */
public final class DaemonWritingException extends DaemonUnavailableException {
  private final long pid;
  private final boolean indexing;

  DaemonWritingException(String message, long pid, boolean indexing) {
    super(message);
    this.pid = pid;
    this.indexing = indexing;
  }

  /** The old daemon's process id. */
  public long pid() {
    return pid;
  }

  /** True when it runs an index run, which ends; false for a watch, which lasts until someone stops it. */
  public boolean indexing() {
    return indexing;
  }
}
