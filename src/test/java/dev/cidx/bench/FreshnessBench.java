package dev.cidx.bench;

import dev.cidx.client.DaemonClient;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.Messages.IndexParams;
import dev.cidx.protocol.Messages.NoParams;
import dev.cidx.protocol.Messages.WatchParams;
import dev.cidx.protocol.Methods;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.SearchMode;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * How fresh the daemon keeps the index, against a real daemon ({@code bin/cidx start}) over its socket,
 * timed in this process so no JVM start is counted.
 *
 * <ul>
 *   <li>{@code watch REPO DEBOUNCE...}: with {@code cidx watch} on, the time from writing a file (new, or an
 *       existing one modified) to a full-text query finding it (both indexes change in one commit), five
 *       times per debounce; then a git branch switch that changes 50 files, until the last is found.
 *   <li>{@code reindex REPO N}: query latency (hybrid, N queries from the repository's Javadoc) while idle,
 *       then while a full {@code index --clear} runs in the daemon. Use a small corpus: the run is real.
 * </ul>
 *
 * <pre>
 * java -cp "$CP" dev.cidx.bench.FreshnessBench watch /tmp/corpus-base 2 0
 * java -cp "$CP" dev.cidx.bench.FreshnessBench reindex /tmp/corpus-nethttp 200
 * </pre>
 * The repository must be a git work tree, initialised and indexed, with no uncommitted changes to the
 * first 50 Java files (they are restored with {@code git checkout}); the watch run commits a branch
 * {@code cidx-bench}, then deletes it.
 */
public final class FreshnessBench {
  private static final Path HOME = Path.of(System.getProperty("cidx.home", System.getProperty("user.dir")));

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[1]).toAbsolutePath();
    RepoPaths repo = new RepoPaths(root);
    exec(root, HOME.resolve("bin/cidx").toString(), "start");
    try (DaemonClient client = DaemonClient.connect(repo.socketPath())) {
      if (args[0].equals("watch")) {
        List<Double> debounces = Arrays.stream(args).skip(2).map(Double::parseDouble).toList();
        watch(root, client, debounces.isEmpty() ? List.of(2.0) : debounces);
      } else {
        reindex(root, client, args.length > 2 ? Integer.parseInt(args[2]) : 200);
      }
    }
  }

  private static void watch(Path root, DaemonClient client, List<Double> debounces) throws Exception {
    Path dir = root.resolve("cidx-bench");
    Files.createDirectories(dir);
    List<Path> existing;
    try (Stream<Path> s = Files.walk(root)) {
      existing = s.filter(p -> p.toString().endsWith(".java") && !p.startsWith(dir) && !p.toString().contains("/."))
          .sorted().limit(50).toList();
    }
    System.out.println("| change | debounce s | runs | median ms | max ms |");
    System.out.println("|---|---|---|---|---|");
    for (double debounce : debounces) {
      client.call(Methods.WATCH_START, new WatchParams(debounce), JsonNode.class, Duration.ofSeconds(30));
      awaitSettled(client);
      double[] created = new double[5];
      double[] modified = new double[5];
      for (int i = 0; i < 5; i++) {
        String probe = word("freshprobe");
        Path file = dir.resolve("Probe" + i + ".java");
        created[i] = timeUntilFound(client, probe, () -> Files.writeString(file,
            "class Probe { int " + probe + "; }\n", StandardCharsets.UTF_8));
        awaitSettled(client);
        String edit = word("editprobe");
        Path target = existing.get(i);
        modified[i] = timeUntilFound(client, edit, () -> Files.writeString(target, "\n// " + edit + "\n",
            StandardCharsets.UTF_8, StandardOpenOption.APPEND));
        awaitSettled(client);
      }
      row("new file", debounce, created);
      row("one file modified", debounce, modified);
    }
    // A branch that changes 50 files, then a switch to it and back, with the last debounce.
    double debounce = debounces.get(debounces.size() - 1);
    String base = exec(root, "git", "rev-parse", "--abbrev-ref", "HEAD").strip();
    List<String> restore = new ArrayList<>(List.of("git", "checkout", "-q", "--"));
    existing.forEach(p -> restore.add(root.relativize(p).toString()));
    exec(root, restore.toArray(String[]::new));
    deleteProbes(dir);
    awaitSettled(client);
    exec(root, "git", "checkout", "-q", "-B", "cidx-bench");
    String marker = word("branchprobe");
    for (Path p : existing) {
      Files.writeString(p, "\n// " + marker + " " + p.getFileName() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
    exec(root, "git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-am", "bench");
    exec(root, "git", "checkout", "-q", base);
    awaitSettled(client);
    double[] switched = new double[2];
    switched[0] = timeUntilFound(client, marker, () -> exec(root, "git", "checkout", "-q", "cidx-bench"), 50);
    awaitSettled(client);
    switched[1] = timeUntilGone(client, marker, () -> exec(root, "git", "checkout", "-q", base));
    System.out.printf(Locale.ROOT, "| branch switch, 50 files: to it / back | %s | 2 | %.0f / %.0f | |%n", debounce,
        switched[0], switched[1]);
    client.call(Methods.WATCH_STOP, new NoParams(), JsonNode.class, Duration.ofSeconds(30));
    exec(root, "git", "branch", "-q", "-D", "cidx-bench");
    JsonNode watch = client.call(Methods.STATUS, new NoParams(), JsonNode.class, Duration.ofSeconds(30)).path("watch");
    System.out.println("daemon watch counters: " + watch);
  }

  private static void deleteProbes(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  /**
   * A word no query can match by its parts: letters only (the code analyzer also indexes the digit runs
   * and camel-case parts of an identifier, so "probe123" would match every "probe456").
   */
  private static String word(String prefix) {
    StringBuilder w = new StringBuilder(prefix);
    for (char c : Long.toString(System.nanoTime()).toCharArray()) {
      w.append((char) ('a' + (c - '0')));
    }
    return w.toString();
  }

  private static void reindex(Path root, DaemonClient client, int n) throws Exception {
    List<String> queries = QueryLatencyBench.queries(root, n);
    for (String q : queries.subList(0, Math.min(20, queries.size()))) {
      client.query(QueryRequest.builder(q).mode(SearchMode.HYBRID).build()); // load and warm up
    }
    double[] idle = latencies(client, queries, new AtomicBoolean(true));
    AtomicBoolean running = new AtomicBoolean(true);
    RepoPaths repo = new RepoPaths(root);
    CompletableFuture<Object> run = CompletableFuture.supplyAsync(() -> {
      try (DaemonClient indexer = DaemonClient.connect(repo.socketPath())) {
        return indexer.index(new IndexParams(true), (method, params) -> {});
      } catch (Exception e) {
        return e;
      } finally {
        running.set(false);
      }
    });
    awaitIndexing(client);
    long start = System.nanoTime();
    List<Double> during = new ArrayList<>();
    int round = 0;
    while (running.get()) {
      double[] ms = latencies(client, queries.subList(round % 2 == 0 ? 0 : queries.size() / 2, queries.size()), running);
      for (double m : ms) {
        if (m > 0) {
          during.add(m);
        }
      }
      round++;
    }
    Object result = run.get();
    System.out.printf(Locale.ROOT, "full reindex through the daemon took %.1f s: %s%n", (System.nanoTime() - start) / 1e9,
        result);
    System.out.println("| while | queries | p50 ms | p99 ms |");
    System.out.println("|---|---|---|---|");
    print("idle", idle);
    print("index --clear runs", during.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static double[] latencies(DaemonClient client, List<String> queries, AtomicBoolean go) throws Exception {
    double[] ms = new double[queries.size()];
    for (int i = 0; i < queries.size() && go.get(); i++) {
      long s = System.nanoTime();
      QueryResult r = client.query(QueryRequest.builder(queries.get(i)).mode(SearchMode.HYBRID).build());
      ms[i] = (System.nanoTime() - s) / 1e6;
      if (r.results() == null) {
        throw new IllegalStateException("no results list");
      }
    }
    return ms;
  }

  private interface Action {
    void run() throws Exception;
  }

  private static double timeUntilFound(DaemonClient client, String identifier, Action change) throws Exception {
    return timeUntilFound(client, identifier, change, 1);
  }

  /** Milliseconds from the change until a full-text query for {@code identifier} finds {@code hits} chunks. */
  private static double timeUntilFound(DaemonClient client, String identifier, Action change, int hits)
      throws Exception {
    long t0 = System.nanoTime();
    change.run();
    while (count(client, identifier) < hits) {
      pause(t0);
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  private static double timeUntilGone(DaemonClient client, String identifier, Action change) throws Exception {
    long t0 = System.nanoTime();
    change.run();
    while (count(client, identifier) > 0) {
      pause(t0);
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  private static int count(DaemonClient client, String identifier) throws Exception {
    return client.query(QueryRequest.builder(identifier).mode(SearchMode.FTS).limit(100).snippetLines(0).build())
        .results().size();
  }

  private static void pause(long since) throws InterruptedException {
    if (System.nanoTime() - since > Duration.ofMinutes(5).toNanos()) {
      throw new IllegalStateException("not searchable after 5 minutes");
    }
    // A benchmark main, not a test: its documented classpath (target/lib) has no Awaitility, and it times
    // a real daemon, so it polls at a fixed 20 ms rather than hammering the socket.
    Thread.sleep(20);
  }

  private static void awaitSettled(DaemonClient client) throws Exception {
    long since = System.nanoTime();
    while (true) {
      JsonNode w = client.call(Methods.STATUS, new NoParams(), JsonNode.class, Duration.ofSeconds(30)).path("watch");
      if (!w.path("updating").asBoolean() && w.path("pending_paths").asInt() == 0 && !w.path("pending_all").asBoolean()) {
        return;
      }
      pause(since);
    }
  }

  private static void awaitIndexing(DaemonClient client) throws Exception {
    long since = System.nanoTime();
    while (!client.call(Methods.STATUS, new NoParams(), JsonNode.class, Duration.ofSeconds(30)).path("indexing")
        .isObject()) {
      pause(since);
    }
  }

  private static void row(String change, double debounce, double[] ms) {
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "| %s | %s | %d | %.0f | %.0f |%n", change, debounce, ms.length,
        sorted[sorted.length / 2], sorted[sorted.length - 1]);
  }

  private static void print(String label, double[] ms) {
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f |%n", label, sorted.length, sorted[sorted.length / 2],
        sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]);
  }

  private static String exec(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }
}
