package dev.cidx.index;

import java.time.Duration;

/**
 * When a run commits before its end. Full text first: when a run has more than
 * {@code textFirstChunks} chunks to embed, it commits the full-text index of every file before embedding
 * anything, so `cidx query --fts` answers within a minute even when embedding takes an hour. Then a
 * checkpoint commit every {@code checkpointChunks} embedded chunks or {@code checkpointInterval},
 * whichever comes first, so semantic search fills in as the run goes and a kill loses little.
 *
 * @param textFirstChunks up to this many chunks to embed, a run commits once, at its end: the wait is
 *     short anyway, and a run that is stopped leaves the last commit exactly as it was
 */
record CommitSchedule(int textFirstChunks, int checkpointChunks, Duration checkpointInterval,
    Duration minCheckpointSpacing) {
  /**
   * 1,000 chunks are about a minute of the local model on two cores: a run that would keep full-text
   * search waiting longer commits it first ({@code CIDX_TEXT_FIRST_CHUNKS} moves the threshold; the
   * daemon inherits it from the client that starts it). 2,000 chunks or a minute: each checkpoint writes a
   * delta of the vectors added since the base (see {@link CompactionPolicy}), so a few dozen of them on the
   * largest repositories cost seconds in all.
   */
  static final CommitSchedule DEFAULT = new CommitSchedule(textFirstChunks(System.getenv("CIDX_TEXT_FIRST_CHUNKS")),
      2_000, Duration.ofSeconds(60), Duration.ofSeconds(15));

  /**
   * Checkpoints after {@code checkpointChunks} only once {@code minCheckpointSpacing} has passed since the
   * last commit: a provider that embeds 1,500 chunks a second would otherwise commit every second or two,
   * and every few commits rebuild the HNSW base (the delta outgrows {@link CompactionPolicy}'s limit),
   * several times the work of building it once. The local model never reaches 2,000 chunks in 15 s, so
   * its schedule is unchanged; a kill loses no embedding either way (the cache has every batch).
   */
  CommitSchedule(int textFirstChunks, int checkpointChunks, Duration checkpointInterval) {
    this(textFirstChunks, checkpointChunks, checkpointInterval, Duration.ZERO);
  }

  /** The threshold {@code CIDX_TEXT_FIRST_CHUNKS} names, else 1,000; a value that is not a count is ignored. */
  static int textFirstChunks(String setting) {
    if (setting != null) {
      try {
        int n = Integer.parseInt(setting.trim());
        if (n >= 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // not a count: the default
      }
    }
    return 1_000;
  }

  CommitSchedule {
    if (textFirstChunks < 0 || checkpointChunks < 1 || checkpointInterval.isNegative()
        || minCheckpointSpacing.isNegative()) {
      throw new IllegalArgumentException("invalid commit schedule: " + textFirstChunks + ", " + checkpointChunks
          + ", " + checkpointInterval);
    }
  }

  boolean commitsTextFirst(int chunksToEmbed) {
    return chunksToEmbed > textFirstChunks;
  }

  boolean checkpointDue(int embeddedSinceCommit, long nanosSinceCommit) {
    return (embeddedSinceCommit >= checkpointChunks && nanosSinceCommit >= minCheckpointSpacing.toNanos())
        || nanosSinceCommit >= checkpointInterval.toNanos();
  }
}
