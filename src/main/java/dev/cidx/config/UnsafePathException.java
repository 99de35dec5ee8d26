package dev.cidx.config;

import java.nio.file.Path;

/**
 * cidx refused to use a path because trusting it could let a repository or another user redirect its
 * writes, read its index or impersonate its daemon: a symbolic link where cidx keeps its own file, a
 * directory or socket owned by someone else, a directory others can write to. Unchecked so it passes
 * unchanged through code that wraps I/O failures; the CLI prints its message as one line, exit 2.
 */
public final class UnsafePathException extends RuntimeException {
  private final transient Path path;

  public UnsafePathException(Path path, String message) {
    super(message);
    this.path = path;
  }

  /** The path that was refused. */
  public Path path() {
    return path;
  }
}
