package dev.cidx.bench;

import dev.cidx.embed.EmbeddingModel;
import dev.cidx.embed.OnnxEmbedder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Measures {@link OnnxEmbedder} on real Java: chunks/s of {@code embedDocuments} after warm-up, and
 * {@code embedQuery} latency (p50/p99 over 200 queries), alone and while a document batch runs.
 *
 * <pre>
 * /work/shared/bench/corpus java.net.http /tmp/corpus-nethttp
 * mvn -q -o -B package -DskipTests &amp;&amp; mvn -q -o -B test-compile
 * java -cp "target/classes:target/test-classes:target/lib/*" dev.cidx.bench.EmbedBench \
 *     [corpus-dir] [model] [chunks]
 * </pre>
 *
 * Defaults: {@code /tmp/corpus-nethttp}, {@code bge-small-en-v1.5}, 480 chunks (a spread sample of all
 * 40-line pieces). Tuning knobs are the system properties {@code cidx.embed.workers},
 * {@code cidx.embed.intraOpThreads} and {@code cidx.embed.spin} (see {@code dev.cidx.embed.Tuning}).
 * Add {@code -Dcidx.cache.dir=DIR} to unpack the native libraries somewhere other than ~/.cache/cidx.
 */
public final class EmbedBench {
  private static final int CHUNK_LINES = 40;
  private static final int QUERIES = 200;
  private static final List<String> QUERY_TEXTS = List.of(
      "read a file into a string", "send an HTTP request with a timeout", "parse response headers",
      "handle redirect status codes", "websocket close frame", "connection pool eviction",
      "TLS handshake failure", "HTTP/2 flow control window update", "encode a form body",
      "retry a request after an IOException", "cookie handling", "authenticate with basic auth",
      "stream the response body to a file", "proxy selector configuration", "compress request data",
      "asynchronous send returning a CompletableFuture", "decode chunked transfer encoding",
      "validate a header name", "how are frames written to the socket", "cancel an in-flight request");

  private EmbedBench() {}

  public static void main(String[] args) throws IOException {
    Path corpus = Path.of(args.length > 0 ? args[0] : "/tmp/corpus-nethttp");
    EmbeddingModel model = EmbeddingModel.byName(args.length > 1 ? args[1] : "bge-small-en-v1.5");
    int wanted = args.length > 2 ? Integer.parseInt(args[2]) : 480;

    List<List<String>> files = javaFiles(corpus);
    List<String> all = chunks(files);
    List<String> sample = spread(all, wanted);
    System.out.printf(Locale.ROOT, "corpus %s: %d files, %d chunks of %d lines; sample %d%n", corpus,
        files.size(), all.size(), CHUNK_LINES, sample.size());
    System.out.printf(Locale.ROOT, "tuning: %s%n", System.getProperties().entrySet().stream()
        .filter(e -> e.getKey().toString().startsWith("cidx.embed."))
        .map(e -> e.getKey() + "=" + e.getValue()).sorted().collect(Collectors.joining(" ")));

    long t0 = System.nanoTime();
    try (OnnxEmbedder embedder = OnnxEmbedder.open(model)) {
      System.out.printf(Locale.ROOT, "model %s loaded in %d ms%n", model.modelName(), ms(System.nanoTime() - t0));

      // Token counting the way the chunker calls it: once per file with its lines.
      embedder.tokenCounter().countTokens(files.get(0));
      t0 = System.nanoTime();
      long lines = 0;
      for (List<String> file : files) {
        embedder.tokenCounter().countTokens(file);
        lines += file.size();
      }
      long countNanos = System.nanoTime() - t0;
      int[] sampleTokens = embedder.tokenCounter().countTokens(sample);
      System.out.printf(Locale.ROOT, "token counting: %d lines in %d ms (%.0f lines/ms); sample chunks average %.0f"
              + " tokens, %d of %d longer than %d%n", lines, ms(countNanos), lines / (countNanos / 1e6),
          Arrays.stream(sampleTokens).average().orElse(0), Arrays.stream(sampleTokens)
              .filter(n -> n + 2 > model.maxTokens()).count(), sample.size(), model.maxTokens());

      embedder.embedDocuments(spread(all, 64)); // warm-up: first runs allocate arenas and kernels
      // CPU time as well as wall time: on a shared machine the wall clock also measures the neighbours,
      // while chunks per CPU-second (and how many cores were kept busy) are this code's own numbers.
      long cpu0 = processCpuNanos();
      t0 = System.nanoTime();
      embedder.embedDocuments(sample);
      long docNanos = System.nanoTime() - t0;
      long cpuNanos = processCpuNanos() - cpu0;
      System.out.printf(Locale.ROOT, "embedDocuments: %d chunks in %d ms = %.1f chunks/s; %.1f chunks per CPU-second,"
              + " %.2f cores busy%n", sample.size(), ms(docNanos), sample.size() / (docNanos / 1e9),
          sample.size() / (cpuNanos / 1e9), (double) cpuNanos / docNanos);
      long tokenizeCpu0 = processCpuNanos();
      embedder.tokenCounter().countTokens(sample);
      long tokenizeCpu = processCpuNanos() - tokenizeCpu0;
      System.out.printf(Locale.ROOT, "tokenizing the sample: %d ms CPU, %.1f%% of embedDocuments' CPU time%n",
          ms(tokenizeCpu), 100.0 * tokenizeCpu / cpuNanos);

      for (int i = 0; i < 20; i++) {
        embedder.embedQuery(QUERY_TEXTS.get(i % QUERY_TEXTS.size()));
      }
      long[] alone = new long[QUERIES];
      for (int i = 0; i < QUERIES; i++) {
        long q0 = System.nanoTime();
        embedder.embedQuery(QUERY_TEXTS.get(i % QUERY_TEXTS.size()) + (i >= QUERY_TEXTS.size() ? " " + i : ""));
        alone[i] = System.nanoTime() - q0;
      }
      System.out.println("embedQuery alone:          " + percentiles(alone));

      // Queries while indexing: the daemon answers searches during a reindex.
      Thread indexing = new Thread(() -> embedder.embedDocuments(spread(all, 160)), "bench-indexing");
      indexing.start();
      List<Long> during = new ArrayList<>();
      for (int i = 0; indexing.isAlive() && i < QUERIES; i++) {
        long q0 = System.nanoTime();
        embedder.embedQuery(QUERY_TEXTS.get(i % QUERY_TEXTS.size()));
        during.add(System.nanoTime() - q0);
      }
      try {
        indexing.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      System.out.println("embedQuery while indexing: "
          + percentiles(during.stream().mapToLong(Long::longValue).toArray()));
    }
  }

  private static List<List<String>> javaFiles(Path root) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    }
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("no .java files under " + root
          + " (make one with /work/shared/bench/corpus java.net.http " + root + ")");
    }
    List<List<String>> files = new ArrayList<>();
    for (Path p : paths) {
      files.add(Files.readAllLines(p, StandardCharsets.UTF_8));
    }
    return files;
  }

  /** Each file split into 40-line pieces, as a simple chunker would; blank pieces dropped. */
  private static List<String> chunks(List<List<String>> files) {
    List<String> chunks = new ArrayList<>();
    for (List<String> lines : files) {
      for (int start = 0; start < lines.size(); start += CHUNK_LINES) {
        String chunk = String.join("\n", lines.subList(start, Math.min(lines.size(), start + CHUNK_LINES)));
        if (!chunk.isBlank()) {
          chunks.add(chunk);
        }
      }
    }
    return chunks;
  }

  /** {@code n} chunks evenly spread over the list, so the sample has the corpus's mix of lengths. */
  private static List<String> spread(List<String> all, int n) {
    if (n >= all.size()) {
      return all;
    }
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(all.get((int) ((long) i * all.size() / n)));
    }
    return out;
  }

  private static String percentiles(long[] nanos) {
    if (nanos.length == 0) {
      return "no samples";
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms (n=%d)", sorted[sorted.length / 2] / 1e6,
        sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)] / 1e6, sorted.length);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
