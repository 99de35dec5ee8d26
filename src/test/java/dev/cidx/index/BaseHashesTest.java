package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseHashesTest {
  @TempDir Path dir;

  @Test
  void writeThenRead_keepsEachHashOnce() throws IOException {
    Path file = dir.resolve("vectors-5.hashes");
    BaseHashes.of(List.of(9L, -2L, 9L, 4L)).write(file);
    BaseHashes read = BaseHashes.read(file);
    assertThat(read.size()).isEqualTo(3);
    assertThat(read.contains(-2L)).isTrue();
    assertThat(read.contains(9L)).isTrue();
    assertThat(read.contains(5L)).isFalse();
  }

  @Test
  void fileNameFor_replacesTheBaseSuffix() {
    assertThat(BaseHashes.fileNameFor("vectors-5.hnsw")).isEqualTo("vectors-5.hashes");
  }

  @Test
  void read_reportsATruncatedFile() throws IOException {
    Path file = dir.resolve("vectors-6.hashes");
    BaseHashes.of(List.of(1L, 2L)).write(file);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 8));
    assertThatThrownBy(() -> BaseHashes.read(file))
        .hasMessage("unreadable base hash list vectors-6.hashes: its header does not match its size ("
            + (bytes.length - 8) + " bytes)");
  }
}
