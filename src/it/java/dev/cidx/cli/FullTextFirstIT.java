package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cidx.config.RepoPaths;
import dev.cidx.testing.CidxProcess;
import dev.cidx.testing.CidxProcess.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository with hundreds of chunks, indexed the way a big one is: full text is committed before
 * anything is embedded, so a run stopped then (Ctrl+C, a kill) leaves every file searchable by its words,
 * semantic and hybrid queries say how much they cover, and the next `cidx index` embeds the rest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FullTextFirstIT {
  /** Full text first from 64 chunks on (1,000 by default), so a repository of hundreds shows it. */
  private static final Map<String, String> DAEMON = Map.of("CIDX_TEXT_FIRST_CHUNKS", "64");
  private static final Map<String, String> STANDALONE = Map.of("CIDX_TEXT_FIRST_CHUNKS", "64", "CIDX_NO_DAEMON", "1");
  /** Enough chunks that the embedding pass outlasts the test's reaction to the full-text commit. */
  private static final int FILES = 400;

  @TempDir
  static Path tmp;

  private Path dir;

  /** A word that appears in file {@code i} only: letters, so the code analyzer keeps it whole. */
  static String marker(int i) {
    StringBuilder s = new StringBuilder("marker");
    for (int n = i; ; n /= 26) {
      s.append((char) ('a' + n % 26));
      if (n < 26) {
        return s.toString();
      }
    }
  }

  @BeforeAll
  void writeARepositoryOfManySmallFiles() throws IOException, InterruptedException {
    dir = tmp.resolve("many");
    Files.createDirectories(dir.resolve("src"));
    assertThat(new ProcessBuilder("git", "init", "-q").directory(dir.toFile()).start().waitFor()).isZero();
    for (int i = 0; i < FILES; i++) {
      Files.writeString(dir.resolve("src/Part" + i + ".java"), "package demo;\n\n/** Part " + i + " keeps the "
          + marker(i) + " ledger for warehouse " + i + ". */\nfinal class Part" + i + " {\n  int count() {\n    return "
          + i + ";\n  }\n}\n");
    }
    assertThat(CidxProcess.run(dir, STANDALONE, "init").exit()).isZero();
  }

  @AfterAll
  void stopTheDaemon() {
    DaemonCommands.stop(new RepoPaths(dir));
  }

  @Test
  @Order(1)
  void stoppedAfterTheFullTextCommit_everyFileIsFoundByText_semanticSaysWhatItCovers_andTheNextRunFinishes() {
    CidxProcess.Running run = CidxProcess.start(dir, STANDALONE, "index");
    await().atMost(CidxProcess.TIMEOUT).pollInterval(Duration.ofMillis(50))
        .until(() -> run.errSoFar().contains(IndexProgressPrinter.TEXT_READY) || !run.isAlive());
    Result stopped = run.interrupt();
    assertThat(stopped.err()).contains(IndexProgressPrinter.TEXT_READY);
    assertThat(stopped.exit()).as(stopped.err()).isNotZero();
    assertThat(stopped.err()).contains("cancelled: full-text search covers every file; ");

    for (int i : new int[] {0, FILES / 2, FILES - 1}) {
      Result fts = CidxProcess.run(dir, STANDALONE, "query", "--fts", marker(i), "--json");
      assertThat(fts.exit()).as(fts.err()).isZero();
      assertThat(fts.json().path("results").get(0).path("path").asText()).isEqualTo("src/Part" + i + ".java");
      assertThat(fts.json().has("semantic_coverage")).isFalse();
    }
    Result status = CidxProcess.run(dir, STANDALONE, "status", "--json");
    int chunks = status.json().path("index").path("chunks").asInt();
    int embedded = status.json().path("index").path("embedded_chunks").asInt();
    assertThat(chunks).isEqualTo(FILES);
    assertThat(embedded).isLessThan(chunks);
    assertThat(CidxProcess.run(dir, STANDALONE, "status").out())
        .contains("chunks:        " + chunks + " (" + embedded + " with vectors: semantic search covers");

    // Hybrid, through the daemon too: the full-text half finds the file, the coverage is said once.
    for (Map<String, String> env : java.util.List.of(STANDALONE, DAEMON)) {
      Result hybrid = CidxProcess.run(dir, env, "query", marker(FILES - 1), "--json");
      assertThat(hybrid.exit()).as(hybrid.err()).isZero();
      assertThat(hybrid.json().path("results").get(0).path("path").asText()).isEqualTo("src/Part" + (FILES - 1) + ".java");
      assertThat(hybrid.json().path("semantic_coverage").asDouble()).isEqualTo((double) embedded / chunks);
      Result human = CidxProcess.run(dir, env, "query", marker(FILES - 1));
      assertThat(human.err()).containsOnlyOnce("cidx: semantic search covers ")
          .contains("% of the repository so far; full-text results are complete");
    }

    Result finish = CidxProcess.run(dir, DAEMON, "index", "--json");
    assertThat(finish.exit()).as(finish.err()).isZero();
    assertThat(finish.json().path("files_indexed").asInt()).as("nothing is rechunked").isZero();
    assertThat(finish.json().path("chunks_embedded").asInt()).as("at most what had no vector")
        .isLessThanOrEqualTo(chunks - embedded);
    assertThat(finish.json().path("chunks_embedded").asInt() + finish.json().path("chunks_reused").asInt())
        .isEqualTo(chunks);
    Result semantic = CidxProcess.run(dir, DAEMON, "query", "ledger for warehouse", "--semantic", "--json");
    assertThat(semantic.exit()).as(semantic.err()).isZero();
    assertThat(semantic.json().path("semantic_coverage").asDouble()).isEqualTo(1.0);
    assertThat(semantic.err()).doesNotContain("semantic search covers");
  }

  @Test
  @Order(2)
  void background_returnsOnceFullTextIsCommitted_theDaemonGoesOn_andCancelStopsIt() {
    Result left = CidxProcess.run(dir, DAEMON, "index", "--clear", "--background", "--json");
    assertThat(left.exit()).as(left.err()).isZero();
    assertThat(left.json().path("background").asBoolean()).isTrue();
    assertThat(left.json().path("via").asText()).isEqualTo("daemon");
    assertThat(left.json().path("chunks_to_embed").asInt()).isEqualTo(FILES);

    Result fts = CidxProcess.run(dir, DAEMON, "query", "--fts", marker(123), "-q");
    assertThat(fts.exit()).as(fts.err()).isZero();
    assertThat(fts.out()).startsWith("src/Part123.java:");
    Result status = CidxProcess.run(dir, DAEMON, "status");
    assertThat(status.out()).as("the daemon embeds on, and says so")
        .containsPattern("indexing: .*chunks embedded, [\\d.]+ chunks/s, ETA .*; full-text search covers every file");

    Result cancel = CidxProcess.run(dir, DAEMON, "index", "--cancel");
    assertThat(cancel.exit()).as(cancel.err()).isZero();
    assertThat(cancel.err()).matches("cidx: cancelled the index run since \\d\\d:\\d\\d:\\d\\d, \\d+/\\d+ chunks embedded; "
        + "what it committed stays in service and the chunks embedded so far will be reused\n");
    await().atMost(CidxProcess.TIMEOUT).pollInterval(Duration.ofMillis(50))
        .until(() -> CidxProcess.run(dir, DAEMON, "status", "--json").json().path("daemon").path("indexing").isNull());
    Result again = CidxProcess.run(dir, DAEMON, "index", "--cancel");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).isEqualTo("cidx: no index run is going\n");
    assertThat(CidxProcess.run(dir, DAEMON, "query", "--fts", marker(321), "-q").out()).as("the full-text commit stays")
        .startsWith("src/Part321.java:");
  }
}
