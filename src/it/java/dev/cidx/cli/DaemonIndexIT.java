package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.client.DaemonControl;
import dev.cidx.config.RepoPaths;
import dev.cidx.testing.CidxProcess;
import dev.cidx.testing.CidxProcess.Result;
import dev.cidx.testing.TestRepo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cidx index} through the daemon, as users run it: {@code cidx} processes ({@link CidxProcess}) on a
 * copy of the example repository, with the real model and real daemon processes. The tests run in order
 * on one repository and one daemon: the first builds the index the others change.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DaemonIndexIT {
  private final List<String> timings = new ArrayList<>();

  @TempDir
  static Path tmp;

  private Path dir;
  private RepoPaths repo;

  @BeforeAll
  void copyTheExampleRepository() throws IOException {
    dir = tmp.resolve("examples");
    StandaloneSearchIT.copyTree(CidxProcess.HOME.resolve("examples"), dir);
    assertThat(StandaloneSearchIT.cidx(dir, "init").exit()).isZero();
    repo = new RepoPaths(dir);
  }

  @AfterAll
  void stopTheDaemonAndPrintTimings() {
    DaemonCommands.stop(repo);
    timings.forEach(t -> System.out.println("DaemonIndexIT timing: " + t));
  }

  private Result cidx(String... args) {
    return CidxProcess.run(dir, args);
  }

  private Optional<JsonNode> daemonStatus() {
    return DaemonControl.statusJson(repo);
  }

  private int committedChunks() {
    return cidx("status", "--json").json().path("index").path("chunks").asInt();
  }

  /** Waits until the daemon's run has embedded something (and is still embedding). */
  private void awaitEmbedding() {
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> daemonStatus()
        .map(s -> s.path("indexing").path("chunks_embedded").asInt() > 0).orElse(false));
  }

  /** New documents that take a few embedding batches, so a run can be watched, followed and cancelled. */
  private List<Path> addNotes(String prefix, int files, int lines) throws IOException {
    List<Path> added = new ArrayList<>();
    for (int n = 0; n < files; n++) {
      StringBuilder sb = new StringBuilder("# Notes " + prefix + n + "\n\n" + prefix + "notes" + n + "\n\n");
      for (int i = 0; i < lines; i++) {
        sb.append("Line ").append(i).append(" of ").append(prefix).append(" notes ").append(n)
            .append(": discussed upload retries, thumbnail sizes and the gateway timeout budget.\n");
        if (i % 7 == 0) {
          sb.append('\n');
        }
      }
      Path p = dir.resolve("docs/" + prefix + "-notes-" + n + ".md");
      Files.writeString(p, sb.toString(), StandardCharsets.UTF_8);
      added.add(p);
    }
    return added;
  }

  @Test
  @Order(1)
  void indexThroughTheDaemon_givesTheSameCountsAsStandalone_andSaysViaDaemon() {
    Result viaDaemon = cidx("index", "--json");
    assertThat(viaDaemon.exit()).as(viaDaemon.err()).isZero();
    assertThat(viaDaemon.err()).isEmpty();
    JsonNode d = viaDaemon.json();
    assertThat(d.path("via").asText()).isEqualTo("daemon");
    assertThat(DaemonControl.ping(repo)).as("the daemon started for the index run").isPresent();

    Result alone = cidx("index", "--clear", "--json", "--no-daemon");
    assertThat(alone.exit()).as(alone.err()).isZero();
    JsonNode s = alone.json();
    assertThat(s.path("via").asText()).isEqualTo("standalone");
    for (String field : List.of("files_scanned", "files_indexed", "files_changed", "files_deleted", "chunks_total",
        "chunks_embedded", "chunks_reused", "committed", "cancelled")) {
      assertThat(d.path(field)).as(field).isEqualTo(s.path(field));
    }
    timings.add(String.format(Locale.ROOT, "first `cidx index` via a daemon it started: %.1f s wall (%.1f s in the daemon)",
        viaDaemon.millis() / 1000, d.path("seconds").asDouble()));
    timings.add(String.format(Locale.ROOT, "`cidx index --clear --no-daemon`: %.1f s wall (%.1f s indexing)",
        alone.millis() / 1000, s.path("seconds").asDouble()));

    Result again = cidx("index", "--json");
    assertThat(again.json().path("via").asText()).isEqualTo("daemon");
    assertThat(again.json().path("files_indexed").asInt()).isZero();
    assertThat(again.json().path("chunks_embedded").asInt()).isZero();
    assertThat(again.json().path("chunks_total").asInt()).isEqualTo(s.path("chunks_total").asInt());
    Result human = cidx("index");
    assertThat(human.out()).matches("\\d+ files scanned, 0 indexed, 0 deleted: \\d+ chunks in the index, 0 embedded, "
        + "0 reused \\(\\d+\\.\\d s\\)\n");
  }

  @Test
  @Order(2)
  void queriesDuringAFullReindexThroughTheDaemon_allSucceed_andStatusShowsTheRun() {
    long pid = DaemonControl.ping(repo).orElseThrow().pid();
    CidxProcess.Running reindex = CidxProcess.start(dir, Map.of(), "index", "--clear", "--json");
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50))
        .until(() -> daemonStatus().map(st -> st.path("indexing").isObject()).orElse(false));
    Result status = cidx("daemon", "status");
    assertThat(status.out()).containsPattern("indexing:      since \\d\\d:\\d\\d:\\d\\d \\((scanning|chunking|embedding|committing)"
        + ", --clear, [\\d.]+ s\\), \\d+/\\d+ files, \\d+/\\d+ chunks embedded");
    List<Double> millis = new ArrayList<>();
    List<Double> daemonMillis = new ArrayList<>();
    int during = 0;
    while (reindex.isAlive()) {
      Result q = cidx("query", "retry", "--json", "-l", "3");
      assertThat(q.exit()).as(q.err()).isZero();
      assertThat(q.json().path("results").size()).isPositive();
      assertThat(q.json().path("via").asText()).isEqualTo("daemon");
      if (reindex.isAlive()) {
        during++;
        millis.add(q.millis());
        daemonMillis.add(q.json().path("took_ms").asDouble());
      }
    }
    Result r = reindex.await();
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.json().path("via").asText()).isEqualTo("daemon");
    assertThat(r.json().path("chunks_embedded").asInt()).isEqualTo(r.json().path("chunks_total").asInt());
    assertThat(during).as("queries answered while the daemon was writing").isGreaterThanOrEqualTo(2);
    assertThat(DaemonControl.ping(repo).orElseThrow().pid()).isEqualTo(pid);
    assertThat(daemonStatus().orElseThrow().path("indexing").isNull()).isTrue();
    timings.add(String.format(Locale.ROOT, "`cidx index --clear` via the warm daemon: %.1f s wall (%.1f s indexing)",
        r.millis() / 1000, r.json().path("seconds").asDouble()));
    timings.add(String.format(Locale.ROOT, "%d queries during that reindex: max %.0f ms wall, max %.1f ms in the daemon",
        during, millis.stream().mapToDouble(Double::doubleValue).max().orElse(0),
        daemonMillis.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
  }

  @Test
  @Order(3)
  void secondIndexWhileOneRuns_followsIt_clearIsRefused_andAStandaloneWriterGetsOneLine() throws IOException {
    List<Path> notes = addNotes("follow", 3, 1200);
    CidxProcess.Running first = CidxProcess.start(dir, Map.of(), "index", "--json");
    awaitEmbedding();
    CidxProcess.Running follower = CidxProcess.start(dir, Map.of(), "index", "--json");
    Result clear = cidx("index", "--clear");
    Result standalone = cidx("index", "--no-daemon");
    Result a = first.await();
    Result b = follower.await();

    assertThat(clear.exit()).isEqualTo(2);
    assertThat(clear.err()).matches("cidx: indexing is already running since \\d\\d:\\d\\d:\\d\\d, \\d+/\\d+ chunks "
        + "embedded; run `cidx index --clear` again when it has finished\n");
    assertThat(standalone.exit()).isEqualTo(2);
    assertThat(standalone.err()).isEqualTo("cidx: another `cidx index` is already writing this index; wait for it to finish\n");

    assertThat(a.exit()).as(a.err()).isZero();
    assertThat(b.exit()).as(b.err()).isZero();
    assertThat(b.err()).matches("cidx: indexing is already running since \\d\\d:\\d\\d:\\d\\d; following it\n");
    assertThat(b.json()).isEqualTo(a.json());
    assertThat(a.json().path("files_indexed").asInt()).isEqualTo(notes.size());
    assertThat(cidx("query", "--fts", "follownotes2", "-q").out()).contains("docs/follow-notes-2.md");
  }

  @Test
  @Order(4)
  void cancellingTheClient_keepsTheOldIndexInService_andTheNextRunReusesWhatWasEmbedded() throws IOException {
    long pid = DaemonControl.ping(repo).orElseThrow().pid();
    int chunks = committedChunks();
    addNotes("cancel", 3, 1200);
    CidxProcess.Running indexing = CidxProcess.start(dir, Map.of(), "index");
    awaitEmbedding();
    long cancelledAt = System.nanoTime();
    Result cancelled = indexing.interrupt();
    assertThat(cancelled.err()).contains(DaemonIndexing.OWNER_CANCELLED);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
        .until(() -> daemonStatus().map(s -> s.path("indexing").isNull()).orElse(false));
    double stopSeconds = (System.nanoTime() - cancelledAt) / 1e9;
    assertThat(stopSeconds).as("the run stopped soon after its client went").isLessThan(5);
    timings.add(String.format(Locale.ROOT, "client interrupted during embedding: the daemon's run ended %.2f s later",
        stopSeconds));

    assertThat(DaemonControl.ping(repo).orElseThrow().pid()).as("the same daemon serves on").isEqualTo(pid);
    // Fewer chunks than a run embeds before committing full text: one commit at the end, which never came.
    assertThat(committedChunks()).as("the last commit stays in service").isEqualTo(chunks);
    Result query = cidx("query", "--fts", "healthz", "-q");
    assertThat(query.exit()).isZero();
    assertThat(cidx("query", "--fts", "cancelnotes2", "-q", "-l", "50").out()).as("nothing of the cancelled run is visible")
        .doesNotContain("cancel-notes");
    assertThat(Files.readString(repo.logFile())).contains("index run cancelled: the client that started it went away");

    Result resumed = cidx("index", "--json");
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(resumed.json().path("via").asText()).isEqualTo("daemon");
    assertThat(resumed.json().path("chunks_reused").asInt()).as("embeddings flushed before the cancel").isPositive();
    assertThat(cidx("query", "--fts", "cancelnotes2", "-q").out()).contains("docs/cancel-notes-2.md");
  }

  @Test
  @Order(5)
  void noDaemonCanBeReached_isSaidOnStderr_withTheEndOfItsLog_thenIndexesStandalone() throws IOException {
    RepoPaths broken = TestRepo.create(tmp.resolve("broken"));
    // A directory where the daemon opens its lock file: the daemon fails to start. (A regular file at the
    // socket path no longer gets that far: the client refuses it first, see HostileTrustIT.)
    Files.createDirectory(broken.lockFile());
    Files.writeString(broken.root().resolve("Hello.java"), "/** Says hello. */\nclass Hello {}\n");
    Result r = CidxProcess.run(broken.root(), "index", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.err().lines().toList();
    assertThat(lines.get(0)).isEqualTo("cidx: daemon unavailable (the daemon exited with status 1 while starting; end of "
        + broken.logFile() + ":); running standalone");
    assertThat(r.err()).as("the end of daemon.log follows, as for a query").contains("cannot start: " + broken.lockFile());
    assertThat(r.json().path("via").asText()).isEqualTo("standalone");
    assertThat(r.json().path("files_indexed").asInt()).isEqualTo(1);
    assertThat(broken.lockFile()).as("a client never deletes it").isDirectory();
  }
}
