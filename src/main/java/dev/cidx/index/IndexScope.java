package dev.cidx.index;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an index run looks at: the whole repository, rebuilt from scratch or brought up to date, or only
 * some paths (files or directories, relative to the root with forward slashes), as a watcher or a
 * {@code notify} reports them. A path covers itself and everything below it, so a deleted or renamed
 * directory is one path. A run limited to paths compares and deletes only within them.
 *
 * @param rebuild drop the index and its embedding cache first ({@code cidx index --clear})
 * @param paths the paths to look at, sorted; null for the whole repository
 */
public record IndexScope(boolean rebuild, Set<String> paths) {
  /** The whole repository, incrementally: what {@code cidx index} does. */
  public static final IndexScope ALL = new IndexScope(false, null);
  /** The whole repository from scratch: {@code cidx index --clear}. */
  public static final IndexScope REBUILD = new IndexScope(true, null);

  /**
   * Past this many paths a scoped run costs about what a full incremental run does (every file is stat'ed
   * either way), and git's command line would grow unwieldy: the scope becomes the whole repository.
   */
  static final int MAX_PATHS = 2000;

  public IndexScope {
    if (rebuild && paths != null) {
      throw new IllegalArgumentException("a rebuild covers the whole repository");
    }
    paths = paths == null ? null : Collections.unmodifiableSortedSet(new TreeSet<>(paths));
  }

  /** These paths; the whole repository when there are more than {@link #MAX_PATHS}. */
  public static IndexScope of(Collection<String> paths) {
    if (paths.size() > MAX_PATHS) {
      return ALL;
    }
    return new IndexScope(false, Set.copyOf(paths));
  }

  public boolean isWholeRepository() {
    return paths == null;
  }

  /** This scope and {@code other} together. */
  public IndexScope plus(IndexScope other) {
    if (rebuild || other.rebuild) {
      return REBUILD;
    }
    if (paths == null || other.paths == null) {
      return ALL;
    }
    Set<String> union = new TreeSet<>(paths);
    union.addAll(other.paths);
    return of(union);
  }

  /** How many paths this scope names; 0 for the whole repository. */
  public int size() {
    return paths == null ? 0 : paths.size();
  }

  /** For messages: "the repository", the one path, or "N paths". */
  public String describe() {
    return paths == null ? "the repository" : paths.size() == 1 ? paths.iterator().next() : paths.size() + " paths";
  }

  /** Whether a file at {@code path} is inside this scope: one of its paths, or below one. */
  public boolean covers(String path) {
    if (paths == null) {
      return true;
    }
    if (paths.contains(path)) {
      return true;
    }
    for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
      if (paths.contains(path.substring(0, slash))) {
        return true;
      }
    }
    return false;
  }
}
