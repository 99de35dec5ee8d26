package dev.cidx.index;

import com.github.jelmerk.hnswlib.core.DistanceFunction;
import com.github.jelmerk.hnswlib.core.DistanceFunctions;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * What the HNSW build parameters cost and buy (issue 9 §3): builds graphs over the vectors of a real
 * vector file with each given M, efConstruction and distance, and reports the build's thread CPU time
 * and recall@10 against the exact (brute-force) top 10 at the search ef of each accuracy (50, 100, 200).
 * Queries are held out: a random sample of the file's vectors, left out of the graph.
 *
 * <pre>
 * java -cp "target/classes:target/test-classes:target/lib/*" dev.cidx.index.HnswBuildBench \
 *   REPO/.code-indexer/index/vectors-N.hnsw QUERIES M/EFC/DIST...   (DIST: hnswlib or dot)
 * </pre>
 * Single-threaded builds, so the times compare configurations rather than the machine's load. Two rounds,
 * the first unreported (JIT warm-up); {@code -Drounds=1} for a large file.
 */
public final class HnswBuildBench {
  private static final int K = 10;
  private static final int[] SEARCH_EF = {50, 100, 200};

  private HnswBuildBench() {}

  public static void main(String[] args) throws Exception {
    VectorStore file = VectorStore.load(Path.of(args[0]));
    int queries = Integer.parseInt(args[1]);
    List<Long> hashes = new ArrayList<>(file.hashes());
    Collections.shuffle(hashes, new Random(9));
    List<float[]> queryVectors = new ArrayList<>();
    for (Long h : hashes.subList(0, queries)) {
      queryVectors.add(file.vector(h).orElseThrow());
    }
    List<Long> indexed = hashes.subList(queries, hashes.size());
    List<float[]> vectors = new ArrayList<>();
    for (Long h : indexed) {
      vectors.add(file.vector(h).orElseThrow());
    }
    List<Set<Long>> exact = new ArrayList<>();
    for (float[] q : queryVectors) {
      exact.add(exactTop(q, indexed, vectors));
    }
    System.out.printf("%d vectors of dimension %d, %d held-out queries%n", vectors.size(), file.dimension(), queries);
    int rounds = Integer.getInteger("rounds", 2); // all but the last warm the JIT up
    for (int round = 0; round < rounds; round++) {
      for (String config : List.of(args).subList(2, args.length)) {
        String[] p = config.split("/");
        run(config, Integer.parseInt(p[0]), Integer.parseInt(p[1]), p[2].equals("dot")
            ? new DotProduct.UnitVectorDistance() : DistanceFunctions.FLOAT_INNER_PRODUCT, file.dimension(),
            indexed, vectors, queryVectors, exact, round == rounds - 1);
      }
    }
  }

  private static void run(String config, int m, int efConstruction, DistanceFunction<float[], Float> distance,
      int dimension, List<Long> ids, List<float[]> vectors, List<float[]> queries, List<Set<Long>> exact,
      boolean print) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    HnswIndex<Long, float[], VectorStore.Vector, Float> graph = HnswIndex
        .newBuilder(dimension, distance, ids.size())
        .withM(m).withEfConstruction(efConstruction).withEf(10).withRemoveEnabled().build();
    long cpu = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < ids.size(); i++) {
      graph.add(new VectorStore.Vector(ids.get(i), vectors.get(i)));
    }
    double buildSeconds = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
    StringBuilder recalls = new StringBuilder();
    for (int ef : SEARCH_EF) {
      int hits = 0;
      long searchCpu = threads.getCurrentThreadCpuTime();
      for (int q = 0; q < queries.size(); q++) {
        for (SearchResult<VectorStore.Vector, Float> r : graph.findNearest(queries.get(q), Math.max(K, ef))
            .subList(0, K)) {
          if (exact.get(q).contains(r.item().id())) {
            hits++;
          }
        }
      }
      double perQueryMs = (threads.getCurrentThreadCpuTime() - searchCpu) / 1e6 / queries.size();
      recalls.append(String.format(" | ef %d: recall@10 %.4f, %.2f ms", ef, hits / (double) (K * queries.size()),
          perQueryMs));
    }
    if (print) {
      System.out.printf("%-14s build %.1f s CPU (%.0f vectors/s)%s%n", config, buildSeconds,
          ids.size() / buildSeconds, recalls);
    }
  }

  private static Set<Long> exactTop(float[] q, List<Long> ids, List<float[]> vectors) {
    Integer[] order = new Integer[ids.size()];
    float[] sim = new float[ids.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
      sim[i] = VectorStore.similarity(q, vectors.get(i));
    }
    java.util.Arrays.sort(order, (a, b) -> Float.compare(sim[b], sim[a]));
    Set<Long> top = new HashSet<>();
    for (int i = 0; i < K; i++) {
      top.add(ids.get(order[i]));
    }
    return top;
  }
}
