package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingCacheTest {
  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("embeddings.cache");
  }

  @Test
  void putAll_survivesReopening() throws Exception {
    try (EmbeddingCache cache = EmbeddingCache.open(file(), "m", 3)) {
      cache.putAll("m", Map.of(1L, new float[] {1, 2, 3}, 2L, new float[] {4, 5, 6}));
    }
    try (EmbeddingCache cache = EmbeddingCache.open(file(), "m", 3)) {
      assertThat(cache.size()).isEqualTo(2);
      assertThat(cache.get("m", 2L)).containsExactly(4, 5, 6);
    }
  }

  @Test
  void aTornLastRecordIsIgnoredAndOverwritten() throws Exception {
    try (EmbeddingCache cache = EmbeddingCache.open(file(), "m", 3)) {
      cache.putAll("m", Map.of(1L, new float[] {1, 2, 3}));
      cache.putAll("m", Map.of(2L, new float[] {4, 5, 6}));
    }
    // A kill in the middle of an append leaves part of a record behind.
    try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 5);
    }
    try (EmbeddingCache cache = EmbeddingCache.open(file(), "m", 3)) {
      assertThat(cache.size()).isEqualTo(1);
      cache.putAll("m", Map.of(3L, new float[] {7, 8, 9}));
    }
    try (EmbeddingCache cache = EmbeddingCache.open(file(), "m", 3)) {
      assertThat(cache.hashes()).containsExactlyInAnyOrder(1L, 3L);
      assertThat(cache.get("m", 3L)).containsExactly(7, 8, 9);
    }
  }

  @Test
  void aCacheOfAnotherModelIsDiscarded() throws Exception {
    try (EmbeddingCache cache = EmbeddingCache.open(file(), "model-a", 3)) {
      cache.putAll("model-a", Map.of(1L, new float[] {1, 2, 3}));
    }
    try (EmbeddingCache cache = EmbeddingCache.open(file(), "model-b", 3)) {
      assertThat(cache.size()).isZero();
    }
  }

  @Test
  void compact_keepsLiveEntriesAndSomeRecentDeadOnes() throws Exception {
    Set<Long> live = new HashSet<>();
    try (EmbeddingCache cache = EmbeddingCache.open(file(), "m", 1)) {
      Map<Long, float[]> all = new java.util.LinkedHashMap<>();
      for (long i = 0; i < 5000; i++) {
        all.put(i, new float[] {i});
      }
      cache.putAll("m", all);
      for (long i = 0; i < 1000; i++) {
        live.add(i);
      }
      long before = Files.size(file());
      cache.compact(live);
      assertThat(Files.size(file())).isLessThan(before);
      assertThat(cache.hashes()).containsAll(live);
      assertThat(cache.contains("m", 4999L)).as("most recent dead entry kept").isTrue();
      assertThat(cache.size()).isEqualTo(1500);
    }
    try (EmbeddingCache cache = EmbeddingCache.open(file(), "m", 1)) {
      assertThat(cache.size()).isEqualTo(1500);
      assertThat(cache.get("m", 999L)).containsExactly(999f);
    }
  }

  @Test
  void aVectorOfOneModel_isNeverServedForAnotherOfTheSameDimension() throws Exception {
    try (EmbeddingCache cache = EmbeddingCache.open(file(), "model-a", 3)) {
      cache.putAll("model-a", Map.of(1L, new float[] {1, 2, 3}));
      assertThat(cache.get("model-a", 1L)).containsExactly(1, 2, 3);
      assertThat(cache.get("model-b", 1L)).isNull();
      assertThat(cache.contains("model-b", 1L)).isFalse();
    }
  }

  @Test
  void vectorsMadeByAnotherModel_areRefused_andNothingIsWritten() throws Exception {
    try (EmbeddingCache cache = EmbeddingCache.open(file(), "model-a", 3)) {
      assertThatThrownBy(() -> cache.putAll("model-b", Map.of(1L, new float[] {1, 2, 3})))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("vectors of model model-b cannot be cached as model-a's");
      assertThat(cache.size()).isZero();
    }
    try (EmbeddingCache cache = EmbeddingCache.open(file(), "model-a", 3)) {
      assertThat(cache.size()).isZero();
    }
  }
}
