package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directory's time stands in for the full check only when it is settled and nothing changed since. */
class CommitStampTest {
  @TempDir Path dir;
  final AtomicInteger fullChecks = new AtomicInteger();

  private boolean current(CommitStamp stamp) throws Exception {
    return stamp.isCurrent(() -> {
      fullChecks.incrementAndGet();
      return true;
    });
  }

  @Test
  void aSettledUnchangedDirectory_needsNoFullCheck_untilAFileIsCreatedInIt() throws Exception {
    Files.setLastModifiedTime(dir, FileTime.from(Instant.now().minusSeconds(60)));
    CommitStamp stamp = new CommitStamp(dir);
    assertThat(current(stamp)).isTrue();
    assertThat(current(stamp)).isTrue();
    assertThat(fullChecks).hasValue(1);

    Files.writeString(dir.resolve("segments_2"), "a commit"); // what every commit does
    assertThat(current(stamp)).isTrue();
    assertThat(fullChecks).hasValue(2);
  }

  @Test
  void aRecentDirectoryTime_isNeverTrusted() throws Exception {
    Files.setLastModifiedTime(dir, FileTime.from(Instant.now()));
    CommitStamp stamp = new CommitStamp(dir);
    current(stamp);
    current(stamp);
    assertThat(fullChecks).hasValue(2);
  }

  @Test
  void aStaleAnswer_isNeverRemembered() throws Exception {
    Files.setLastModifiedTime(dir, FileTime.from(Instant.now().minusSeconds(60)));
    CommitStamp stamp = new CommitStamp(dir);
    AtomicInteger calls = new AtomicInteger();
    CommitStamp.FullCheck newerCommitExists = () -> {
      calls.incrementAndGet();
      return false;
    };
    assertThat(stamp.isCurrent(newerCommitExists)).isFalse();
    assertThat(stamp.isCurrent(newerCommitExists)).isFalse();
    assertThat(calls).hasValue(2);
  }

  @Test
  void aMissingDirectory_alwaysGetsTheFullCheck() throws Exception {
    CommitStamp stamp = new CommitStamp(dir.resolve("gone"));
    current(stamp);
    current(stamp);
    assertThat(fullChecks).hasValue(2);
  }
}
