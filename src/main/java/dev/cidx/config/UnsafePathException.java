package dev.cidx.config;

import java.nio.file.Path;

/**
 * cidx refused to use a path because trusting it could let a repository or another user redirect its
 * writes, read its index or impersonate its daemon: a symbolic link where cidx keeps its own file, a
 * directory or socket owned by someone else, a directory others can write to. Unchecked so it passes
 * unchanged through code that wraps I/O failures; the CLI prints its message as one line, exit 2.
 */
public final class UnsafePathException extends RuntimeException {
  /** What cidx would have done with the path, which decides what a command does next. */
  public enum Use {
    /** Write through it: the command stops (exit 2), nothing written. */
    WRITE,
    /** Talk to a daemon through it: the command goes on without the daemon, nothing sent. */
    CONNECT
  }

  private final transient Path path;
  private final Use use;

  /** A path cidx would have written through. */
  public UnsafePathException(Path path, String message) {
    this(path, message, Use.WRITE);
  }

  public UnsafePathException(Path path, String message, Use use) {
    super(message);
    this.path = path;
    this.use = use;
  }

  public Use use() {
    return use;
  }

  /** The path that was refused. */
  public Path path() {
    return path;
  }
}
