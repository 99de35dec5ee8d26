package dev.cidx.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Tells whether a newer commit has landed in the index directory, from the directory's modification
 * time when it can: a stat instead of Lucene's listing and reading of the segments file, which was a
 * third of a warm full-text query's time in the daemon (0.7 of 2 ms).
 *
 * <p>A commit creates and renames files in the directory, which changes its modification time. So once
 * the full check has said "current" for a directory time that was already in the past, the same time
 * seen again means no commit since. A time that is recent is not trusted, as git treats "racily clean"
 * files: a file system with coarse timestamps could give a commit landing in the same tick the time seen
 * before it. Such times always get the full check, as does anything the stat cannot read.
 */
final class CommitStamp {
  /** How far in the past a directory time must be to be trusted: more than any file system's tick. */
  static final long SETTLED_MILLIS = 3_000;

  /** The full check: whether the reader still sees the newest commit. */
  interface FullCheck {
    boolean isCurrent() throws IOException;
  }

  private final Path dir;
  private final long settledMillis;
  /** A directory time seen, settled, with the full check saying current; MIN_VALUE when none. */
  private volatile long trusted = Long.MIN_VALUE;

  CommitStamp(Path dir) {
    this(dir, SETTLED_MILLIS);
  }

  CommitStamp(Path dir, long settledMillis) {
    this.dir = dir;
    this.settledMillis = settledMillis;
  }

  boolean isCurrent(FullCheck full) throws IOException {
    long before = modifiedNanos();
    if (before != Long.MIN_VALUE && before == trusted) {
      return true;
    }
    boolean current = full.isCurrent();
    if (current && before != Long.MIN_VALUE
        && TimeUnit.NANOSECONDS.toMillis(before) < System.currentTimeMillis() - settledMillis) {
      trusted = before;
    }
    return current;
  }

  private long modifiedNanos() {
    try {
      return Files.getLastModifiedTime(dir).to(TimeUnit.NANOSECONDS);
    } catch (IOException | SecurityException e) {
      return Long.MIN_VALUE; // the full check will say what is wrong
    }
  }
}
