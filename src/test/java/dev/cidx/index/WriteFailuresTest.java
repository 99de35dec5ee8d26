package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.apache.lucene.store.AlreadyClosedException;
import org.junit.jupiter.api.Test;

class WriteFailuresTest {
  private static final Path DATA = Path.of("/repo/.code-indexer");

  @Test
  void aFullDisk_saysSoAndThatTheLastCommitIsIntact() {
    assertThat(WriteFailures.describe(new IOException("No space left on device"), DATA)).contains(
        "cannot write the index: no space left on device for /repo/.code-indexer; free some space and run "
            + "`cidx index` again; the last committed index is intact");
  }

  @Test
  void aFullDisk_isFoundBehindLucenesClosedWriter() {
    AlreadyClosedException closed = new AlreadyClosedException("this IndexWriter is closed",
        new IOException("No space left on device"));
    assertThat(WriteFailures.describe(closed, DATA)).hasValueSatisfying(m -> assertThat(m)
        .startsWith("cannot write the index: no space left on device"));
  }

  @Test
  void aFullDiskWhenCreatingAFile_isAFullDiskToo() {
    FileSystemException e = new FileSystemException("/repo/.code-indexer/index/_1.fdt", null, "No space left on device");
    assertThat(WriteFailures.describe(e, DATA)).hasValueSatisfying(m -> assertThat(m)
        .startsWith("cannot write the index: no space left on device for /repo/.code-indexer;"));
  }

  @Test
  void aQuota_isNamed() {
    assertThat(WriteFailures.describe(new IOException("Disk quota exceeded"), DATA)).hasValueSatisfying(m ->
        assertThat(m).startsWith("cannot write the index: disk quota exceeded for /repo/.code-indexer;"));
  }

  @Test
  void aReadOnlyFileSystem_namesTheDirectory() {
    FileSystemException e = new FileSystemException("/repo/.code-indexer/index/write.lock", null, "Read-only file system");
    assertThat(WriteFailures.describe(e, DATA)).contains(
        "cannot write the index: /repo/.code-indexer is on a read-only file system; the last committed index is intact");
  }

  @Test
  void permissionDenied_namesTheFile() {
    assertThat(WriteFailures.describe(new AccessDeniedException("/repo/.code-indexer/index/write.lock"), DATA)).contains(
        "cannot write the index: permission denied on /repo/.code-indexer/index/write.lock; the last committed index "
            + "is intact");
  }

  @Test
  void anotherFileSystemError_keepsItsMessage() {
    FileSystemException e = new FileSystemException("/repo/.code-indexer/index", null, "Input/output error");
    assertThat(WriteFailures.describe(e, DATA)).contains(
        "cannot write the index: /repo/.code-indexer/index: Input/output error; the last committed index is intact");
  }

  @Test
  void otherErrors_areNotWriteFailures() {
    assertThat(WriteFailures.describe(new IOException("unreadable vector file vectors-1.hnsw"), DATA)).isEmpty();
    assertThat(WriteFailures.describe(new IllegalStateException("bug"), DATA)).isEmpty();
  }
}
