package dev.cidx.bench;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedder;
import dev.cidx.embed.EmbeddingModel;
import dev.cidx.embed.OnnxEmbedder;
import dev.cidx.index.IndexSnapshot;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.SearchMode;
import dev.cidx.search.Searcher;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * In-process query latency once everything is loaded (what the daemon pays per query): p50/p99 per
 * mode over queries made from the repository's own Javadoc sentences, after a warm-up. Also prints
 * the time to load the model and the index, which a standalone query pays every time.
 *
 * <pre>
 * mvn -q -o test-compile &amp;&amp; java -cp "target/classes:target/test-classes:target/lib/*" \
 *     dev.cidx.bench.QueryLatencyBench /tmp/corpus-base 300
 * </pre>
 * The repository must be indexed already ({@code cidx init && cidx index}). With
 * {@code -Dcidx.bench.budget=SECONDS} each query runs with the daemon's time budget, as the daemon runs it.
 */
public final class QueryLatencyBench {
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    RepoPaths repo = new RepoPaths(root);
    CidxConfig config = CidxConfig.load(repo.configFile());
    List<String> queries = queries(root, n);

    long t0 = System.nanoTime();
    Embedder embedder = OnnxEmbedder.open(EmbeddingModel.byName(config.embeddingModel()));
    long t1 = System.nanoTime();
    IndexSnapshot snapshot = IndexSnapshot.open(repo);
    snapshot.vectors();
    long t2 = System.nanoTime();
    System.out.printf(Locale.ROOT, "load: model %.0f ms, index %.0f ms (%d chunks, %d files)%n", (t1 - t0) / 1e6,
        (t2 - t1) / 1e6, snapshot.chunkCount(), snapshot.fileCount());
    Searcher searcher = new Searcher(embedder, snapshot);
    String budgetSeconds = System.getProperty("cidx.bench.budget");
    Duration budget = budgetSeconds == null ? null : Duration.ofMillis(Math.round(Double.parseDouble(budgetSeconds) * 1000));
    System.out.println("| mode | p50 ms | p99 ms | mean ms | queries |");
    System.out.println("|---|---|---|---|---|");
    for (SearchMode mode : SearchMode.values()) {
      for (String q : queries.subList(0, Math.min(50, queries.size()))) {
        searcher.query(QueryRequest.builder(q).mode(mode).build(), budget);
      }
      double[] ms = new double[queries.size()];
      for (int i = 0; i < queries.size(); i++) {
        long s = System.nanoTime();
        searcher.query(QueryRequest.builder(queries.get(i)).mode(mode).build(), budget);
        ms[i] = (System.nanoTime() - s) / 1e6;
      }
      Arrays.sort(ms);
      System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %d |%n", mode.wireName(), ms[ms.length / 2],
          ms[(int) Math.min(ms.length - 1, Math.ceil(ms.length * 0.99) - 1)], Arrays.stream(ms).average().orElse(0),
          ms.length);
    }
    // Where a semantic or hybrid query's time goes, in this thread's CPU time (steady under load): the
    // query's embedding alone, then the same query with its vector cached (everything but the embedding).
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    System.out.println("| mode | embedding CPU p50 ms | the rest, CPU p50 ms | queries |");
    System.out.println("|---|---|---|---|");
    for (SearchMode mode : List.of(SearchMode.SEMANTIC, SearchMode.HYBRID)) {
      double[] embedding = new double[queries.size()];
      double[] rest = new double[queries.size()];
      for (int i = 0; i < queries.size(); i++) {
        String q = queries.get(i) + " " + mode.wireName(); // new to the query-vector cache
        long c0 = cpu.getCurrentThreadCpuTime();
        embedder.embedQuery(q);
        long c1 = cpu.getCurrentThreadCpuTime();
        searcher.query(QueryRequest.builder(q).mode(mode).build(), budget);
        embedding[i] = (c1 - c0) / 1e6;
        rest[i] = (cpu.getCurrentThreadCpuTime() - c1) / 1e6;
      }
      Arrays.sort(embedding);
      Arrays.sort(rest);
      System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %d |%n", mode.wireName(), embedding[embedding.length / 2],
          rest[rest.length / 2], queries.size());
    }
    snapshot.close();
    embedder.close();
  }

  /** First sentences of Javadoc comments in the repository's Java files, shuffled. */
  static List<String> queries(Path root, int n) throws Exception {
    Pattern javadoc = Pattern.compile("/\\*\\*(.*?)\\*/", Pattern.DOTALL);
    List<String> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(p -> p.toString().endsWith(".java") && !p.toString().contains("/.")).sorted().toList();
    }
    for (Path f : files) {
      Matcher m = javadoc.matcher(Files.readString(f, StandardCharsets.UTF_8));
      while (m.find()) {
        String sentence = RetrievalEval.firstSentence(m.group(1));
        if (sentence != null) {
          out.add(sentence);
        }
      }
    }
    Collections.shuffle(out, new Random(7));
    return out.subList(0, Math.min(n, out.size()));
  }
}
