package dev.cidx.index;

import dev.cidx.config.RepoPaths;
import java.io.IOException;

/**
 * One committed state of a repository's index, opened read-only: a Lucene reader and searcher, the
 * HNSW vectors named by that commit, and the commit's metadata. Immutable once open and safe for any
 * number of concurrent queries; never holds an index writer. (Stub: the implementation lands next.)
 */
public final class IndexSnapshot implements AutoCloseable {

  private IndexSnapshot() {}

  /** Opens the latest commit. Throws {@link IndexMissingException} when there is none. */
  public static IndexSnapshot open(RepoPaths repo) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  /** False once a newer commit exists on disk: the caller should open a new snapshot. */
  public boolean isCurrent() throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void close() throws IOException {}
}
