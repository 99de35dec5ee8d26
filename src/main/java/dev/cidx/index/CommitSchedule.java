package dev.cidx.index;

import java.time.Duration;

/**
 * When a run commits before its end. Full text first: when a run has more than
 * {@code textFirstChunks} chunks to embed, it commits the full-text index of every file before embedding
 * anything, so `cidx query --fts` answers within a minute even when embedding takes an hour. Then a
 * checkpoint commit every {@code checkpointChunks} embedded chunks or {@code checkpointInterval},
 * whichever comes first, so semantic search fills in as the run goes and a kill loses little.
 *
 * @param textFirstChunks below this many chunks to embed, one commit at the end is cheaper than two and
 *     the wait is short anyway
 */
record CommitSchedule(int textFirstChunks, int checkpointChunks, Duration checkpointInterval) {
  /**
   * 64 chunks are three seconds of the local model on two cores: a longer wait earns the extra commit.
   * 2,000 chunks or a minute: each checkpoint writes a delta of the vectors added since the base (see
   * {@link CompactionPolicy}), so a few dozen of them on the largest repositories cost seconds in all.
   */
  static final CommitSchedule DEFAULT = new CommitSchedule(64, 2_000, Duration.ofSeconds(60));

  CommitSchedule {
    if (textFirstChunks < 0 || checkpointChunks < 1 || checkpointInterval.isNegative()) {
      throw new IllegalArgumentException("invalid commit schedule: " + textFirstChunks + ", " + checkpointChunks
          + ", " + checkpointInterval);
    }
  }

  boolean commitsTextFirst(int chunksToEmbed) {
    return chunksToEmbed > textFirstChunks;
  }

  boolean checkpointDue(int embeddedSinceCommit, long nanosSinceCommit) {
    return embeddedSinceCommit >= checkpointChunks || nanosSinceCommit >= checkpointInterval.toNanos();
  }
}
