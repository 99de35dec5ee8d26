package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CommitScheduleTest {
  @Test
  void fullTextGoesFirstOnlyPastTheThreshold() {
    CommitSchedule schedule = new CommitSchedule(1_000, 2_000, Duration.ofSeconds(60));
    assertThat(schedule.commitsTextFirst(1_000)).isFalse();
    assertThat(schedule.commitsTextFirst(1_001)).isTrue();
  }

  @Test
  void aCheckpointIsDueAfterEnoughChunksOrEnoughTime() {
    CommitSchedule schedule = new CommitSchedule(1_000, 2_000, Duration.ofSeconds(60));
    assertThat(schedule.checkpointDue(1_999, Duration.ofSeconds(59).toNanos())).isFalse();
    assertThat(schedule.checkpointDue(2_000, 0)).isTrue();
    assertThat(schedule.checkpointDue(1, Duration.ofSeconds(60).toNanos())).isTrue();
  }

  @Test
  void theThresholdComesFromTheEnvironmentWhenItIsACount() {
    assertThat(CommitSchedule.textFirstChunks(null)).isEqualTo(1_000);
    assertThat(CommitSchedule.textFirstChunks(" 64 ")).isEqualTo(64);
    assertThat(CommitSchedule.textFirstChunks("lots")).isEqualTo(1_000);
    assertThat(CommitSchedule.textFirstChunks("-5")).isEqualTo(1_000);
  }

  @Test
  void aCountCheckpoint_waitsForTheMinimumSpacing_soAFastProviderDoesNotCommitEverySecond() {
    CommitSchedule schedule = new CommitSchedule(1_000, 2_000, Duration.ofSeconds(60), Duration.ofSeconds(15));
    assertThat(schedule.checkpointDue(10_000, Duration.ofSeconds(14).toNanos())).isFalse();
    assertThat(schedule.checkpointDue(2_000, Duration.ofSeconds(15).toNanos())).isTrue();
    assertThat(schedule.checkpointDue(1, Duration.ofSeconds(60).toNanos())).isTrue();
  }
}
