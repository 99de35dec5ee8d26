package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeltaVectorsTest {
  @TempDir Path dir;

  private static final Map<Long, float[]> VECTORS = Map.of(
      7L, new float[] {1, 0, 0, 0},
      -3L, new float[] {0, 0.6f, 0.8f, 0},
      Long.MAX_VALUE, new float[] {0, 0, 0, 1});

  private static DeltaVectors delta() {
    return DeltaVectors.of(4, List.of(7L, -3L, Long.MAX_VALUE), VECTORS::get);
  }

  @Test
  void writeThenRead_keepsEveryHashAndVectorInOrder() throws IOException {
    Path file = dir.resolve("delta-1.vec");
    delta().write(file);

    DeltaVectors read = DeltaVectors.read(file);

    assertThat(read.dimension()).isEqualTo(4);
    assertThat(read.size()).isEqualTo(3);
    assertThat(read.hash(1)).isEqualTo(-3L);
    assertThat(read.row(Long.MAX_VALUE)).isEqualTo(2);
    assertThat(read.row(8)).isEqualTo(-1);
    assertThat(read.vector(-3L)).get().isEqualTo(VECTORS.get(-3L));
    assertThat(read.contains(8)).isFalse();
    assertThat(read.similarity(1, new float[] {0, 0, 1, 0})).isCloseTo(0.8f, Offset.offset(1e-6f));
    assertThat(Files.size(file)).isEqualTo(8 + 3 * 4 + 3 * (8 + 4 * 4));
  }

  @Test
  void anEmptyDelta_roundTrips() throws IOException {
    Path file = dir.resolve("delta-2.vec");
    DeltaVectors.empty(384).write(file);
    DeltaVectors read = DeltaVectors.read(file);
    assertThat(read.size()).isZero();
    assertThat(read.dimension()).isEqualTo(384);
  }

  @Test
  void read_reportsATruncatedFile() throws IOException {
    Path file = dir.resolve("delta-3.vec");
    delta().write(file);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1));
    assertThatThrownBy(() -> DeltaVectors.read(file)).isInstanceOf(IOException.class)
        .hasMessage("unreadable vector delta delta-3.vec: its size (" + (bytes.length - 1)
            + " bytes) does not match 3 vectors of dimension 4");
  }

  @Test
  void read_reportsAFileOfAnotherKind() throws IOException {
    Path file = dir.resolve("delta-4.vec");
    Files.writeString(file, "this is not a delta file at all");
    assertThatThrownBy(() -> DeltaVectors.read(file))
        .hasMessage("unreadable vector delta delta-4.vec: it is not a delta file");
  }

  @Test
  void of_rejectsAVectorOfTheWrongDimension() {
    assertThatThrownBy(() -> DeltaVectors.of(3, List.of(7L), VECTORS::get))
        .hasMessage("vector dimension (4) must be 3");
  }
}
