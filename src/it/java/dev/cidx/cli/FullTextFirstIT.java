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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository with hundreds of chunks, indexed the way a big one is: full text is committed before
 * anything is embedded, so a run stopped then (Ctrl+C, a kill) leaves every file searchable by its words,
 * semantic and hybrid queries say how much they cover, and the next `cidx index` embeds the rest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FullTextFirstIT {
  private static final Map<String, String> STANDALONE = Map.of("CIDX_NO_DAEMON", "1");
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
    for (Map<String, String> env : java.util.List.of(STANDALONE, Map.<String, String>of())) {
      Result hybrid = CidxProcess.run(dir, env, "query", marker(FILES - 1), "--json");
      assertThat(hybrid.exit()).as(hybrid.err()).isZero();
      assertThat(hybrid.json().path("results").get(0).path("path").asText()).isEqualTo("src/Part" + (FILES - 1) + ".java");
      assertThat(hybrid.json().path("semantic_coverage").asDouble()).isEqualTo((double) embedded / chunks);
      Result human = CidxProcess.run(dir, env, "query", marker(FILES - 1));
      assertThat(human.err()).containsOnlyOnce("cidx: semantic search covers ")
          .contains("% of the repository so far; full-text results are complete");
    }

    Result finish = CidxProcess.run(dir, "index", "--json");
    assertThat(finish.exit()).as(finish.err()).isZero();
    assertThat(finish.json().path("files_indexed").asInt()).as("nothing is rechunked").isZero();
    assertThat(finish.json().path("chunks_embedded").asInt()).as("at most what had no vector")
        .isLessThanOrEqualTo(chunks - embedded);
    assertThat(finish.json().path("chunks_embedded").asInt() + finish.json().path("chunks_reused").asInt())
        .isEqualTo(chunks);
    Result semantic = CidxProcess.run(dir, "query", "ledger for warehouse", "--semantic", "--json");
    assertThat(semantic.exit()).as(semantic.err()).isZero();
    assertThat(semantic.json().path("semantic_coverage").asDouble()).isEqualTo(1.0);
    assertThat(semantic.err()).doesNotContain("semantic search covers");
  }
}
