package dev.cidx.index;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns a failure to write {@code .code-indexer/} into the one line a user acts on: the directory is
 * read-only, the disk is full, permission is denied. Each message ends by saying that the last
 * committed index is intact, which holds because nothing is visible before the final Lucene commit.
 *
 * <p>Why look at the message text: the JDK reports a full disk during a write as a plain
 * {@code IOException("No space left on device")} (strerror of ENOSPC), with no subtype to catch, and
 * Lucene may wrap it (a tragic flush closes the writer, and the next call carries it as the cause).
 */
final class WriteFailures {
  static final String INTACT = "the last committed index is intact";

  private WriteFailures() {}

  /** One line for {@code failure} if it, or a cause, is a failure to write; empty for other errors. */
  static Optional<String> describe(Throwable failure, Path dataDir) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof AccessDeniedException denied) {
        return Optional.of("cannot write the index: permission denied on " + denied.getFile() + "; " + INTACT);
      }
      String reason = t instanceof FileSystemException fs ? fs.getReason() : t.getMessage();
      Optional<String> known = known(reason, dataDir);
      if (known.isPresent()) {
        return known;
      }
      if (t instanceof FileSystemException fs) {
        return Optional.of("cannot write the index: " + fs.getMessage() + "; " + INTACT);
      }
    }
    return Optional.empty();
  }

  private static Optional<String> known(String reason, Path dataDir) {
    if (reason == null) {
      return Optional.empty();
    }
    if (reason.contains("Read-only file system")) {
      return Optional.of("cannot write the index: " + dataDir + " is on a read-only file system; " + INTACT);
    }
    if (reason.contains("No space left on device") || reason.contains("Disk quota exceeded")) {
      String what = reason.contains("quota") ? "disk quota exceeded" : "no space left on device";
      return Optional.of("cannot write the index: " + what + " for " + dataDir + "; free some space and run "
          + "`cidx index` again; " + INTACT);
    }
    return Optional.empty();
  }
}
