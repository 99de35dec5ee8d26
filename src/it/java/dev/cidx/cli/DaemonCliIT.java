package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cidx.cli.StandaloneSearchIT.Run;
import dev.cidx.client.DaemonClient;
import dev.cidx.client.DaemonControl;
import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.Hit;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.SearchMode;
import dev.cidx.testing.CidxProcess;
import dev.cidx.testing.CidxProcess.Result;
import dev.cidx.testing.TestRepo;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon end to end, as users run it: {@code cidx} processes ({@link CidxProcess}) on the example
 * repository, indexed once for the class with the real model, talking to real daemon processes. Each test
 * says which daemon state it needs (none, or one running) and makes it so, so the order below only keeps
 * the daemon starts few; tests that change the repository or its config undo that.
 *
 * <p>Standalone answers are computed in this JVM through {@link Cli#run} with no daemon, which is the
 * very code the launcher runs for {@code --no-daemon} (its {@code Standalone} class); the switches
 * themselves are tested with processes once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DaemonCliIT {
  /** Every query option, for the comparisons of the daemon path (Java and native clients) with standalone. */
  static final List<List<String>> EVERY_QUERY_OPTION = List.of(
      List.of("retry"),
      List.of("retry", "--json"),
      List.of("--semantic", "wait longer after each failed attempt", "--json", "-l", "3"),
      List.of("--fts", "parseHeaderLine", "--json", "-l", "5"),
      List.of("token bucket rate limit", "--limit", "4", "--json"),
      List.of("shut down gracefully", "--language", "go", "--json"),
      List.of("find duplicate photos", "--language", "py", "--exclude-language", "markdown", "--json"),
      List.of("cancel an in-flight request", "--path-filter", "web/**", "--json"),
      List.of("retry", "--path-filter", "backend/**", "--exclude-path", "**/upload/**", "-l", "20", "--json"),
      List.of("thumbnail", "--min-score", "0.5", "--json"),
      List.of("thumbnail", "--snippet-lines", "0"),
      List.of("--fts", "HTTP_HEADER_MAX", "-l", "1", "--snippet-lines", "2"),
      List.of("thumbnail", "-q", "-l", "2"),
      List.of("--fts", "HTTP_HEADER_MAX", "--case-sensitive", "--json"),
      List.of("--fts", "http_header_max", "--case-sensitive", "--json"),
      List.of("--fts", "thumbnial", "--fuzzy", "--json"),
      List.of("--fts", "thumbnal", "--edit-distance", "2", "--json"),
      List.of("--fts", "--regex", "parse.*line", "--json"),
      List.of("upload in resumable chunks", "--accuracy", "fast", "--json"),
      List.of("--semantic", "upload in resumable chunks", "--accuracy", "high", "--json"),
      List.of("--fts", "zzyzxquux"));

  /** Query command lines that are wrong, each answered with one line on stderr and exit 2. */
  static final List<List<String>> BAD_QUERY_OPTIONS = List.of(
      List.of("x", "--limit", "zero"),
      List.of("x", "--limit", "0"),
      List.of("--fts", "--regex", "parse("),
      List.of("x", "--path-filter", "src/[a"),
      List.of("--semantic", "--regex", "a.*"),
      List.of("x", "--language", "klingon"),
      List.of("x", "--fuzzy", "--edit-distance", "2"),
      List.of("x", "--bogus"));

  /** The timings measured on the way, printed at the end for BENCHMARKS.md and the log of the build. */
  private final List<String> timings = new ArrayList<>();

  @TempDir
  static Path tmp;

  private Path dir;
  private RepoPaths repo;

  @BeforeAll
  void indexTheExampleRepository() throws Exception {
    dir = tmp.resolve("examples");
    StandaloneSearchIT.copyTree(CidxProcess.HOME.resolve("examples"), dir);
    assertThat(StandaloneSearchIT.cidx(dir, "init").exit()).isZero();
    Run index = StandaloneSearchIT.cidx(dir, "index", "--json");
    assertThat(index.exit()).as(index.err()).isZero();
    repo = new RepoPaths(dir);
    // Expiry checks five times a second, so the TTL test below takes seconds, not a minute.
    CidxConfig config = CidxConfig.load(repo.configFile());
    TestRepo.writeConfig(repo, config.withDaemon(new dev.cidx.config.DaemonSettings(true, 10.0, true, 0.2, 4, null)));
  }

  @AfterAll
  void stopTheDaemonAndPrintTimings() {
    stopDaemon();
    killLeftover(repo);
    timings.forEach(t -> System.out.println("DaemonCliIT timing: " + t));
  }

  // --- helpers

  private Result cidx(String... args) {
    return CidxProcess.run(dir, args);
  }

  private static Run standalone(Path cwd, String... args) {
    return StandaloneSearchIT.cidx(cwd, args);
  }

  /** Stops the daemon if one runs and waits until its process is gone. */
  private void stopDaemon() {
    DaemonCommands.stop(repo);
  }

  private long ensureDaemon() {
    Result r = cidx("query", "--fts", "warm", "-q", "-l", "1");
    assertThat(r.err()).isEmpty();
    return DaemonControl.ping(repo).orElseThrow().pid();
  }

  private JsonNode daemonStatus() {
    return DaemonControl.statusJson(repo).orElseThrow(() -> new AssertionError("no daemon answers"));
  }

  private String log() throws IOException {
    return Files.exists(repo.logFile()) ? Files.readString(repo.logFile(), StandardCharsets.UTF_8) : "";
  }

  private int daemonStarts() throws IOException {
    return log().split("daemon started:", -1).length - 1;
  }

  private static void killLeftover(RepoPaths repo) {
    try {
      long pid = Long.parseLong(Files.readString(repo.lockFile(), StandardCharsets.US_ASCII).trim());
      ProcessHandle.of(pid).filter(p -> p.info().command().orElse("").contains("java"))
          .filter(p -> p.pid() != ProcessHandle.current().pid())
          .ifPresent(ProcessHandle::destroyForcibly);
    } catch (IOException | NumberFormatException e) {
      // no daemon ever ran here
    }
  }

  private static boolean lockIsFree(RepoPaths repo) throws IOException {
    try (FileChannel ch = FileChannel.open(repo.lockFile(), StandardOpenOption.WRITE)) {
      FileLock lock = ch.tryLock();
      if (lock == null) {
        return false;
      }
      lock.release();
      return true;
    }
  }

  private static final Pattern SUMMARY = Pattern.compile("(\\d+ results? in )\\d+ ms \\((\\w+), (daemon|standalone)\\)");

  /** The output with what may differ between two runs of one query removed: time and route. */
  static String comparable(String out) {
    String trimmed = out.strip();
    if (trimmed.startsWith("{")) {
      try {
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(out);
        json.remove("took_ms");
        json.remove("via");
        return json.toPrettyString();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
    return SUMMARY.matcher(out).replaceAll("$1# ms ($2)");
  }

  // --- the tests

  @Test
  @Order(1)
  void firstQuery_startsADaemon_whoseAnswerSaysViaDaemon() throws IOException {
    stopDaemon();
    int before = daemonStarts();
    Result cold = cidx("query", "retry", "--json", "-l", "3");
    assertThat(cold.exit()).as(cold.err()).isZero();
    assertThat(cold.err()).isEmpty();
    assertThat(cold.json().path("via").asText()).isEqualTo("daemon");
    assertThat(daemonStarts()).isEqualTo(before + 1);
    assertThat(comparable(cold.out())).isEqualTo(comparable(standalone(dir, "query", "retry", "--json", "-l", "3").out()));
    timings.add(String.format(Locale.ROOT, "cold `cidx query` (daemon start + model and index load): %.0f ms", cold.millis()));

    Result human = cidx("query", "retry", "-l", "1");
    assertThat(human.out()).containsPattern("1 result in \\d+ ms \\(hybrid, daemon\\)");
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      Result warm = cidx("query", "retry", "--json", "-l", "3");
      best = Math.min(best, warm.millis());
      timings.add(String.format(Locale.ROOT, "warm `cidx query` process via daemon: %.0f ms wall, %.1f ms in the daemon",
          warm.millis(), warm.json().path("took_ms").asDouble()));
    }
  }

  @Test
  @Order(2)
  void restart_thenWarmQueries_loadTheIndexOnce() {
    long old = ensureDaemon();
    Result restart = cidx("daemon", "restart", "--json");
    assertThat(restart.exit()).as(restart.err()).isZero();
    long pid = restart.json().path("pid").asLong();
    assertThat(restart.json().path("previous_pid").asLong()).isEqualTo(old);
    assertThat(pid).isNotEqualTo(old);
    assertThat(ProcessHandle.of(old)).isEmpty();
    for (String q : List.of("retry", "thumbnail", "token bucket")) {
      assertThat(cidx("query", q, "-q").exit()).isZero();
    }
    JsonNode status = daemonStatus();
    assertThat(status.path("pid").asLong()).isEqualTo(pid);
    assertThat(status.path("queries_served").asInt()).isEqualTo(3);
    assertThat(status.path("cache").path("index_loads").asInt()).isEqualTo(1);
    assertThat(status.path("cache").path("model_loads").asInt()).isEqualTo(1);
    assertThat(status.path("query_p50_ms").isNumber()).isTrue();
    assertThat(status.path("query_p99_ms").asDouble()).isGreaterThanOrEqualTo(status.path("query_p50_ms").asDouble());
  }

  /** Every query option, through the daemon and standalone: same output, same exit code, same stderr. */
  @Test
  @Order(3)
  void everyQueryOption_givesTheSameOutputThroughTheDaemonAsStandalone() {
    ensureDaemon();
    for (List<String> options : EVERY_QUERY_OPTION) {
      String[] argv = prepend("query", options);
      Result viaDaemon = CidxProcess.run(dir, argv);
      Run alone = standalone(dir, argv);
      String what = String.join(" ", options);
      assertThat(viaDaemon.exit()).as(what + ": " + viaDaemon.err()).isEqualTo(alone.exit());
      assertThat(viaDaemon.err()).as(what).isEqualTo(alone.err());
      assertThat(comparable(viaDaemon.out())).as(what).isEqualTo(comparable(alone.out()));
      if (options.contains("--json")) {
        assertThat(viaDaemon.json().path("via").asText()).as(what).isEqualTo("daemon");
      }
    }
  }

  @Test
  @Order(4)
  void badOptions_getTheSameErrorAndExitTwoThroughTheDaemon() {
    ensureDaemon();
    int errorsBefore = daemonStatus().path("errors").asInt();
    for (List<String> options : BAD_QUERY_OPTIONS) {
      String[] argv = prepend("query", options);
      Result viaDaemon = CidxProcess.run(dir, argv);
      Run alone = standalone(dir, argv);
      String what = String.join(" ", options);
      assertThat(viaDaemon.exit()).as(what).isEqualTo(2);
      assertThat(viaDaemon.err()).as(what).isEqualTo(alone.err()).startsWith("cidx: ").doesNotContain("Exception");
      assertThat(viaDaemon.out()).as(what).isEmpty();
    }
    assertThat(CidxProcess.run(dir, "query", "--fts", "--regex", "parse(").err())
        .isEqualTo("cidx: invalid regex 'parse(': unexpected end-of-string\n");
    // The daemon answered all of them: a bad command line is not a daemon error.
    assertThat(daemonStatus().path("errors").asInt()).isEqualTo(errorsBefore);
  }

  @Test
  @Order(5)
  void noDaemonSwitches_runStandalone_withTheSameResults() {
    ensureDaemon();
    Result viaDaemon = cidx("query", "retry", "--json", "-l", "3");
    Result flag = cidx("query", "retry", "--json", "-l", "3", "--no-daemon");
    Result env = CidxProcess.run(dir, Map.of("CIDX_NO_DAEMON", "1"), "query", "retry", "--json", "-l", "3");
    assertThat(flag.json().path("via").asText()).isEqualTo("standalone");
    assertThat(env.json().path("via").asText()).isEqualTo("standalone");
    assertThat(comparable(flag.out())).isEqualTo(comparable(viaDaemon.out())).isEqualTo(comparable(env.out()));
    timings.add(String.format(Locale.ROOT, "`cidx query --no-daemon` process: %.0f ms wall", flag.millis()));
  }

  @Test
  @Order(6)
  void configNoDaemon_sendsQueriesStandalone_untilConfigDaemon() {
    ensureDaemon();
    try {
      assertThat(cidx("config", "--no-daemon").out()).startsWith("updated " + repo.configFile());
      assertThat(cidx("query", "retry", "--json").json().path("via").asText()).isEqualTo("standalone");
      assertThat(cidx("status").out()).contains("daemon:        running"); // still there, just not used
    } finally {
      assertThat(cidx("config", "--daemon").exit()).isZero();
    }
    assertThat(cidx("query", "retry", "--json").json().path("via").asText()).isEqualTo("daemon");
  }

  @Test
  @Order(7)
  void concurrentQueries_overOneConnectionEach_returnWhatStandaloneReturns() throws Exception {
    ensureDaemon();
    List<QueryRequest> requests = List.of(
        QueryRequest.builder("retry").limit(5).build(),
        QueryRequest.builder("parseHeaderLine").mode(SearchMode.FTS).build(),
        QueryRequest.builder("wait longer after each failed attempt").mode(SearchMode.SEMANTIC).limit(3).build(),
        QueryRequest.builder("shut down gracefully").language("go").build(),
        QueryRequest.builder("thumbnail").pathFilter("pipeline/**").snippetLines(0).build());
    CidxConfig config = CidxConfig.load(repo.configFile());
    List<List<Hit>> expected = new ArrayList<>();
    for (QueryRequest r : requests) {
      expected.add(new StandaloneQueries(repo, config).query(r).results());
    }
    int threads = 8;
    int perThread = 5;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<String>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t;
        futures.add(pool.submit(() -> {
          List<String> mismatches = new ArrayList<>();
          try (DaemonClient client = DaemonClient.connect(repo.socketPath())) {
            go.await();
            for (int i = 0; i < perThread; i++) {
              int which = (offset + i) % requests.size();
              QueryResult r = client.query(requests.get(which));
              if (!r.via().equals("daemon") || !r.results().equals(expected.get(which))) {
                mismatches.add(requests.get(which).query());
              }
            }
          }
          return mismatches;
        }));
      }
      go.countDown();
      for (Future<List<String>> f : futures) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @Order(8)
  void newIndexCommit_isSeenByTheNextQuery() throws IOException {
    ensureDaemon();
    long loads = daemonStatus().path("cache").path("index_loads").asLong();
    Path added = dir.resolve("backend/src/main/java/com/example/photos/QuokkaTurnstile.java");
    try {
      Files.writeString(added, "package com.example.photos;\n\n/** Lets one quokka through at a time. */\n"
          + "final class QuokkaTurnstile {\n  boolean admitQuokka() {\n    return true;\n  }\n}\n");
      assertThat(standalone(dir, "index", "--json").exit()).isZero();
      Result r = cidx("query", "--fts", "QuokkaTurnstile", "--json", "-l", "1");
      assertThat(r.json().path("results").get(0).path("path").asText())
          .isEqualTo("backend/src/main/java/com/example/photos/QuokkaTurnstile.java");
      assertThat(daemonStatus().path("cache").path("index_loads").asLong()).isEqualTo(loads + 1);
    } finally {
      Files.deleteIfExists(added);
      standalone(dir, "index", "--json");
    }
    assertThat(cidx("query", "--fts", "QuokkaTurnstile").exit()).isEqualTo(1);
  }

  @Test
  @Order(9)
  void clearCache_makesTheNextQueryLoadModelAndIndexAgain() {
    ensureDaemon();
    JsonNode before = daemonStatus().path("cache");
    Result clear = cidx("clear-cache", "--json");
    assertThat(clear.exit()).isZero();
    assertThat(clear.json().path("cleared").asBoolean()).isTrue();
    assertThat(daemonStatus().path("cache").path("loaded").asBoolean()).isFalse();
    assertThat(cidx("query", "retry", "-q").exit()).isZero();
    JsonNode after = daemonStatus().path("cache");
    assertThat(after.path("loaded").asBoolean()).isTrue();
    assertThat(after.path("index_loads").asLong()).isEqualTo(before.path("index_loads").asLong() + 1);
    assertThat(after.path("model_loads").asLong()).isEqualTo(before.path("model_loads").asLong() + 1);
    assertThat(after.path("evictions").asLong()).isEqualTo(before.path("evictions").asLong() + 1);
  }

  @Test
  @Order(10)
  void pythonClient_queriesTheRunningDaemon() throws Exception {
    ensureDaemon();
    Path script = CidxProcess.HOME.resolve("examples/clients/cidx-client");
    Process p = new ProcessBuilder("python3", script.toString(), "--limit", "3", "retry")
        .directory(dir.resolve("backend").toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    long pid = daemonStatus().path("pid").asLong();
    List<String> lines = out.lines().toList();
    assertThat(lines.get(0)).isEqualTo("connected to cidx " + dev.cidx.protocol.Version.CIDX + " (protocol 1), daemon pid " + pid + ", repository " + dir);
    List<String> locations = cidx("query", "retry", "-l", "3", "-q").out().lines().toList();
    assertThat(lines.subList(1, 4)).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(lines.get(1 + i)).matches(" ?" + (i + 1) + "\\. \\d\\.\\d{3}  " + Pattern.quote(locations.get(i)) + "  \\w+");
    }
    assertThat(lines.get(4)).matches("3 results in \\d+\\.\\d ms \\(hybrid, via daemon\\)");
  }

  @Test
  @Order(11)
  void status_showsTheDaemon_andStopRemovesSocketAndLock() throws IOException {
    long pid = ensureDaemon();
    JsonNode running = cidx("status", "--json").json().path("daemon");
    assertThat(running.path("running").asBoolean()).isTrue();
    assertThat(running.path("pid").asLong()).isEqualTo(pid);
    assertThat(running.path("socket_path").asText()).isEqualTo(repo.socketPath().toString());
    assertThat(running.path("cache").path("loaded").asBoolean()).isTrue();
    assertThat(running.path("cache").path("chunks").asInt()).isPositive();
    assertThat(running.path("heap_used_mb").asDouble()).isPositive();
    Result human = cidx("daemon", "status");
    assertThat(human.exit()).isZero();
    assertThat(human.out()).startsWith("daemon:        running, pid " + pid).contains("cache:         loaded: model bge-small-en-v1.5");

    Result ping = cidx("ping");
    assertThat(ping.out()).startsWith("pong from pid " + pid + ": ");
    timings.add("cidx ping: " + ping.out().strip());

    Result stop = cidx("daemon", "stop");
    assertThat(stop.exit()).as(stop.err()).isZero();
    assertThat(stop.out()).isEqualTo("daemon stopped (pid " + pid + ")\n");
    assertThat(ProcessHandle.of(pid)).isEmpty();
    assertThat(Files.exists(repo.socketPath(), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(lockIsFree(repo)).isTrue();
    assertThat(log()).contains("daemon stopped: shutdown requested by a client");

    JsonNode stopped = cidx("status", "--json").json().path("daemon");
    assertThat(stopped.path("running").asBoolean()).isFalse();
    assertThat(stopped.path("enabled").asBoolean()).isTrue();
    assertThat(cidx("status").out()).contains("daemon:        not running (the next `cidx query` starts it)");
    Result again = cidx("stop");
    assertThat(again.exit()).isZero();
    assertThat(again.out()).isEqualTo("no daemon is running for " + dir + "\n");
  }

  @Test
  @Order(12)
  void start_reportsADaemonAlreadyRunning_withExitZero() {
    stopDaemon();
    Result first = cidx("start");
    assertThat(first.exit()).as(first.err()).isZero();
    long pid = DaemonControl.ping(repo).orElseThrow().pid();
    assertThat(first.out()).isEqualTo("daemon started for " + dir + " (pid " + pid + ", socket " + repo.socketPath() + ")\n");
    Result second = cidx("daemon", "start", "--json");
    assertThat(second.exit()).isZero();
    assertThat(second.json().path("already_running").asBoolean()).isTrue();
    assertThat(second.json().path("pid").asLong()).isEqualTo(pid);
    assertThat(cidx("start").out()).isEqualTo("a daemon is already running for " + dir + " (pid " + pid + ")\n");
  }

  @Test
  @Order(13)
  void sixteenSimultaneousQueries_withNoDaemon_makeOneDaemonAndSixteenRightAnswers() throws IOException {
    stopDaemon();
    int before = daemonStarts();
    String expected = comparable(standalone(dir, "query", "token bucket rate limit", "--json", "-l", "3").out());
    long start = System.nanoTime();
    List<CidxProcess.Running> running = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      running.add(CidxProcess.start(dir, Map.of(), "query", "token bucket rate limit", "--json", "-l", "3"));
    }
    List<Result> results = running.stream().map(CidxProcess.Running::await).toList();
    timings.add(String.format(Locale.ROOT, "16 simultaneous cold `cidx query` processes: all answered after %.0f ms",
        (System.nanoTime() - start) / 1e6));
    for (Result r : results) {
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.err()).isEmpty();
      assertThat(r.json().path("via").asText()).isEqualTo("daemon");
      assertThat(comparable(r.out())).isEqualTo(expected);
    }
    assertThat(daemonStarts()).isEqualTo(before + 1);
    assertThat(daemonStatus().path("queries_served").asInt()).isEqualTo(16);
  }

  @Test
  @Order(14)
  void ttlChangedWhileRunning_appliesLive_thenTheIdleDaemonEvictsAndShutsDown() throws IOException {
    long pid = ensureDaemon();
    try {
      Result set = cidx("config", "--daemon-ttl", "0.02"); // 1.2 s
      assertThat(set.exit()).as(set.err()).isZero();
      // Status only observes: polling it does not keep the daemon awake.
      await().atMost(Duration.ofSeconds(30)).until(() -> DaemonControl.statusJson(repo)
          .map(s -> s.path("ttl_minutes").asDouble() == 0.02).orElse(true));
      await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).isEmpty());
      assertThat(Files.exists(repo.socketPath(), LinkOption.NOFOLLOW_LINKS)).isFalse();
      assertThat(lockIsFree(repo)).isTrue();
      assertThat(log()).contains("config reloaded").containsPattern(
          "daemon stopped: idle for [\\d.]+s \\(ttl_minutes 0\\.02\\), auto_shutdown_on_idle");
    } finally {
      assertThat(cidx("config", "--daemon-ttl", "10").exit()).isZero();
    }
  }

  @Test
  @Order(15)
  void daemonThatDiesWhileTheClientWaits_isReportedWithTheEndOfItsLog() throws IOException {
    RepoPaths broken = TestRepo.create(tmp.resolve("broken"));
    // A directory where the daemon opens its lock file. (A regular file at the socket path no longer
    // gets this far: the client refuses it before starting anything, see HostileTrustIT.)
    Files.createDirectory(broken.lockFile());
    Result r = CidxProcess.run(broken.root(), "daemon", "start");
    assertThat(r.exit()).isEqualTo(2);
    List<String> lines = r.err().lines().toList();
    assertThat(lines.get(0)).isEqualTo("cidx: cannot start the daemon: the daemon exited with status 1 while starting; end of "
        + broken.logFile() + ":");
    assertThat(r.err()).contains("cannot start: " + broken.lockFile());
    assertThat(Files.isDirectory(broken.lockFile())).isTrue(); // a client never deletes it

    Result query = CidxProcess.run(broken.root(), "query", "--fts", "anything");
    List<String> queryLines = query.err().lines().toList();
    assertThat(queryLines.get(0)).startsWith("cidx: daemon unavailable (").endsWith("; running standalone");
    assertThat(query.err()).as("the end of daemon.log follows")
        .contains("cannot start: " + broken.lockFile());
    assertThat(queryLines.get(queryLines.size() - 1))
        .isEqualTo("cidx: no index here: run `cidx init` then `cidx index`");
    assertThat(query.exit()).isEqualTo(2);
  }

  static String[] prepend(String first, List<String> rest) {
    List<String> all = new ArrayList<>();
    all.add(first);
    all.addAll(rest);
    return all.toArray(String[]::new);
  }
}
