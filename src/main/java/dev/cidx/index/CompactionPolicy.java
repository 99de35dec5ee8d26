package dev.cidx.index;

/**
 * When a commit rebuilds the HNSW base instead of writing a delta beside it. Both kinds of debt an
 * incremental commit leaves grow the cost of queries, and rebuilding pays them off at a cost
 * proportional to the whole index: vectors in the delta are scanned exactly by every semantic query, and
 * dead entries in the base (chunks changed or deleted since the base was built) still take places in
 * every graph search.
 *
 * @param minDeltaLimit the delta may always hold this many vectors, however small the base
 * @param deltaFraction the delta may hold this fraction of the base's size, when that is more
 * @param deadFraction the base may hold this fraction of dead entries
 */
record CompactionPolicy(int minDeltaLimit, double deltaFraction, double deadFraction) {
  /**
   * 4096 vectors: the same bound as {@code SemanticSearch.EXACT_SCAN_LIMIT}, an exact scan of a few
   * milliseconds at most (1.5 M multiply-adds at dimension 384), and a delta file of 6 MiB at most.
   */
  static final int MIN_DELTA_LIMIT = 4096;
  /**
   * A tenth of the base: rebuilding only after the base has grown by a tenth keeps the rebuilds' total
   * cost within ten times what adding those vectors one by one costs, while the exact scan stays a small
   * part of a query next to the graph search and the query's embedding.
   */
  static final double DELTA_FRACTION = 0.10;
  /**
   * A fifth of the base: at that rate a top-10 graph search meets about two dead entries, which the
   * widening search replaces without searching again (it asks for {@code ef} candidates anyway), and the
   * base's file and memory are at most a quarter above what the live vectors need.
   */
  static final double DEAD_FRACTION = 0.20;

  static final CompactionPolicy DEFAULT = new CompactionPolicy(MIN_DELTA_LIMIT, DELTA_FRACTION, DEAD_FRACTION);

  CompactionPolicy {
    if (minDeltaLimit < 0) {
      throw new IllegalArgumentException("minDeltaLimit (" + minDeltaLimit + ") must not be negative");
    }
    if (!(deltaFraction >= 0)) {
      throw new IllegalArgumentException("deltaFraction (" + deltaFraction + ") must not be negative");
    }
    if (!(deadFraction >= 0)) {
      throw new IllegalArgumentException("deadFraction (" + deadFraction + ") must not be negative");
    }
  }

  /** Whether a commit whose base holds {@code baseSize} vectors, {@code dead} of them dead, must rebuild it. */
  boolean rebuildsBase(int baseSize, int deltaSize, int dead) {
    return deltaSize > Math.max(minDeltaLimit, (long) (baseSize * deltaFraction)) || dead > baseSize * deadFraction;
  }
}
