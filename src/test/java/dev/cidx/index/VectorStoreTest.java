package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorStoreTest {
  private static float[] unit(Random r, int dim) {
    float[] v = new float[dim];
    double norm = 0;
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < dim; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }

  @Test
  void nearest_findsTheVectorItselfWithSimilarityOne() {
    Random r = new Random(1);
    VectorStore store = VectorStore.create(16, 4);
    float[] target = null;
    for (long i = 0; i < 500; i++) {
      float[] v = unit(r, 16);
      if (i == 42) {
        target = v;
      }
      store.add(i, v);
    }
    List<VectorStore.Neighbor> found = store.nearest(target, 3, 50);
    assertThat(found).hasSize(3);
    assertThat(found.get(0).hash()).isEqualTo(42L);
    assertThat(found.get(0).similarity()).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
    assertThat(found.get(1).similarity()).isLessThanOrEqualTo(found.get(0).similarity());
  }

  @Test
  void saveThenLoad_keepsEveryVector(@TempDir Path dir) throws Exception {
    Random r = new Random(2);
    VectorStore store = VectorStore.create(8, 16);
    for (long i = 0; i < 100; i++) {
      store.add(i * 7919, unit(r, 8));
    }
    store.remove(7919);
    Path file = dir.resolve("v.hnsw");
    store.save(file);
    VectorStore loaded = VectorStore.load(file);
    assertThat(loaded.size()).isEqualTo(99);
    assertThat(loaded.contains(7919)).isFalse();
    assertThat(loaded.vector(2 * 7919L)).get().isEqualTo(store.vector(2 * 7919L).orElseThrow());
  }

  @Test
  void add_growsPastItsCapacityEvenAfterRemovals() {
    Random r = new Random(3);
    VectorStore store = VectorStore.create(8, 16);
    for (long i = 0; i < 16; i++) {
      store.add(i, unit(r, 8));
    }
    for (long i = 0; i < 8; i++) {
      store.remove(i);
    }
    for (long i = 100; i < 140; i++) {
      store.add(i, unit(r, 8));
    }
    assertThat(store.size()).isEqualTo(48);
    assertThat(store.contains(139)).isTrue();
  }

  @Test
  void addAll_addsInParallelAfterRemovalsWithoutGrowingMidway() throws Exception {
    Random r = new Random(4);
    VectorStore store = VectorStore.create(8, 16);
    for (long i = 0; i < 16; i++) {
      store.add(i, unit(r, 8));
    }
    for (long i = 0; i < 8; i++) {
      store.remove(i);
    }
    java.util.Map<Long, float[]> vectors = new java.util.HashMap<>();
    for (long i = 1000; i < 3000; i++) {
      vectors.put(i, unit(r, 8));
    }
    store.addAll(List.copyOf(vectors.keySet()), vectors::get);
    assertThat(store.size()).isEqualTo(2008);
    assertThat(store.nearest(vectors.get(2500L), 1, 50).get(0).hash()).isEqualTo(2500L);
  }

  @Test
  void add_rejectsAVectorOfTheWrongDimension() {
    VectorStore store = VectorStore.create(8, 16);
    assertThatThrownBy(() -> store.add(1, new float[4]))
        .hasMessage("vector dimension (4) must be 8");
  }

  @Test
  void load_reportsAnUnreadableFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("vectors-1.hnsw");
    java.nio.file.Files.writeString(file, "not a graph");
    assertThatThrownBy(() -> VectorStore.load(file)).isInstanceOf(java.io.IOException.class);
  }

  /**
   * vectors-before-dot-product.hnsw was saved by main at 16ec1d0, whose graphs named hnswlib's
   * FLOAT_INNER_PRODUCT: 40 vectors of dimension 8, hashes 1000..1039, made by {@code unit(new Random(42), 8)}.
   */
  @Test
  void load_readsAVectorFileWrittenBeforeDotProduct_andKeepsGrowingIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("vectors-1.hnsw");
    try (var in = VectorStoreTest.class.getResourceAsStream("vectors-before-dot-product.hnsw")) {
      java.nio.file.Files.copy(in, file);
    }
    VectorStore store = VectorStore.load(file);
    assertThat(store.size()).isEqualTo(40);
    Random r = new Random(42);
    for (long hash = 1000; hash < 1040; hash++) {
      float[] v = unit(r, 8);
      assertThat(store.vector(hash)).get().isEqualTo(v);
      assertThat(store.nearest(v, 1, 40).get(0).hash()).isEqualTo(hash);
    }
    java.util.Map<Long, float[]> more = new java.util.HashMap<>();
    for (long hash = 2000; hash < 2600; hash++) {
      more.put(hash, unit(r, 8));
    }
    store.addAll(List.copyOf(more.keySet()), more::get);
    Path again = dir.resolve("vectors-2.hnsw");
    store.save(again);
    VectorStore reloaded = VectorStore.load(again);
    assertThat(reloaded.size()).isEqualTo(640);
    assertThat(reloaded.nearest(more.get(2300L), 1, 50).get(0).hash()).isEqualTo(2300L);
  }
}
