package dev.cidx.cli;

import static dev.cidx.cli.StandaloneSearchIT.cidx;
import static dev.cidx.cli.StandaloneSearchIT.copyTree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Indexing runs against the example repository: incremental updates, interruption, bad states. */
class IndexIT {
  @TempDir
  Path tmp;

  private Path repo;

  @BeforeEach
  void copyExamples() throws IOException {
    repo = tmp.resolve("examples");
    copyTree(Path.of(System.getProperty("cidx.home", ".")).resolve("examples"), repo);
    assertThat(cidx(repo, "init").exit()).isZero();
  }

  private JsonNode index(String... extra) throws IOException {
    String[] args = Stream.concat(Stream.of("index", "--json"), Stream.of(extra)).toArray(String[]::new);
    StandaloneSearchIT.Run run = cidx(repo, args);
    assertThat(run.exit()).as(run.err()).isZero();
    return run.json();
  }

  @Test
  void secondRun_embedsNothing_andARenameReembedsOnlyThatFile() throws IOException {
    JsonNode first = index();
    int chunks = first.get("chunks_total").asInt();

    JsonNode unchanged = index();
    assertThat(unchanged.get("files_indexed").asInt()).isZero();
    assertThat(unchanged.get("chunks_embedded").asInt()).isZero();
    assertThat(unchanged.get("chunks_total").asInt()).isEqualTo(chunks);

    Path from = repo.resolve("gateway/health.go");
    Files.move(from, repo.resolve("gateway/healthcheck.go"));
    JsonNode renamed = index();
    assertThat(renamed.get("files_deleted").asInt()).isEqualTo(1);
    assertThat(renamed.get("files_indexed").asInt()).isEqualTo(1);
    // The model reads each chunk after a context line naming its path, so a renamed file's chunks are
    // embedded again (only that file's); the total stays.
    assertThat(renamed.get("chunks_embedded").asInt()).isPositive().isLessThan(chunks);
    assertThat(renamed.get("chunks_total").asInt()).isEqualTo(chunks);
    assertThat(cidx(repo, "query", "--fts", "healthz", "-q").out())
        .contains("gateway/healthcheck.go").doesNotContain("gateway/health.go");
  }

  @Test
  void modifiedAndDeletedFiles_areUpdatedInBothIndexes() throws IOException {
    index();
    Path added = repo.resolve("backend/src/main/java/com/example/photos/Watermark.java");
    Files.writeString(added, """
        package com.example.photos;

        /** Stamps a translucent copyright watermark onto the corner of every published photo. */
        final class Watermark {
          static String stampCopyrightWatermark(String photoId) {
            return photoId + "-watermarked";
          }
        }
        """);
    Files.delete(repo.resolve("web/src/debounce.ts"));
    JsonNode run = index();
    assertThat(run.get("files_indexed").asInt()).isEqualTo(1);
    assertThat(run.get("files_deleted").asInt()).isEqualTo(1);

    assertThat(cidx(repo, "query", "--fts", "stampCopyrightWatermark", "-q").out()).contains("Watermark.java");
    assertThat(cidx(repo, "query", "--semantic", "put a translucent copyright mark on pictures", "-q", "-l", "3").out())
        .contains("Watermark.java");
    assertThat(cidx(repo, "query", "--fts", "debounce", "-q", "-l", "50").out()).doesNotContain("debounce.ts");
    assertThat(cidx(repo, "query", "--semantic", "debounce", "-q", "-l", "50").out()).doesNotContain("debounce.ts");
  }

  @Test
  void aResultFromAFileChangedSinceIndexing_isMarkedStale() throws IOException {
    index();
    Path file = repo.resolve("gateway/health.go");
    Files.writeString(file, Files.readString(file) + "\n// edited\n");
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
    JsonNode result = cidx(repo, "query", "--fts", "healthz", "--path-filter", "gateway/health.go", "--json").json();
    JsonNode hit = result.get("results").get(0);
    assertThat(hit.get("path").asText()).isEqualTo("gateway/health.go");
    assertThat(hit.get("stale").asBoolean()).isTrue();
    assertThat(cidx(repo, "query", "--fts", "healthz", "--path-filter", "health.go", "-l", "1").out())
        .contains("stale");
    assertThat(cidx(repo, "query", "--fts", "healthz", "--path-filter", "main.go", "--json").json()
        .get("results").get(0).get("stale").asBoolean()).isFalse();
  }

  @Test
  void aDifferentModelInConfig_isRefusedWithTheWayOut() throws IOException {
    index();
    Path config = repo.resolve(".code-indexer/config.json");
    Files.writeString(config, Files.readString(config).replace("bge-small-en-v1.5", "all-minilm-l6-v2"));
    StandaloneSearchIT.Run query = cidx(repo, "query", "retry");
    assertThat(query.exit()).isEqualTo(2);
    assertThat(query.err().strip()).isEqualTo("cidx: the index was built with model bge-small-en-v1.5 but config.json "
        + "asks for all-minilm-l6-v2: run `cidx index --clear` to rebuild it");
    StandaloneSearchIT.Run reindex = cidx(repo, "index");
    assertThat(reindex.exit()).isEqualTo(2);
    assertThat(reindex.err()).contains("run `cidx index --clear`");

    JsonNode rebuilt = index("--clear");
    assertThat(rebuilt.get("chunks_embedded").asInt()).isEqualTo(rebuilt.get("chunks_total").asInt());
    assertThat(cidx(repo, "query", "retry failed uploads", "-q").exit()).isZero();
  }

  @Test
  void aDamagedIndex_isReportedWithoutAStackTrace() throws IOException {
    index();
    try (Stream<Path> files = Files.list(repo.resolve(".code-indexer/index"))) {
      for (Path p : files.filter(p -> p.getFileName().toString().startsWith("segments_")).toList()) {
        Files.writeString(p, "garbage");
      }
    }
    StandaloneSearchIT.Run query = cidx(repo, "query", "retry");
    assertThat(query.exit()).isEqualTo(2);
    assertThat(query.err()).startsWith("cidx: ").contains("damaged").contains("cidx index --clear")
        .doesNotContain("\tat ");
    assertThat(query.err().lines()).hasSize(1);
  }

  @Test
  void interruptedRun_keepsTheLastCommitAndTheNextRunReusesWhatWasEmbedded() throws Exception {
    JsonNode first = index();
    int chunks = first.get("chunks_total").asInt();
    // New content: a run that has to embed, interrupted part way through.
    for (int i = 0; i < 6; i++) {
      Files.writeString(repo.resolve("docs/notes-" + i + ".md"), notes(i));
    }
    Path cache = repo.resolve(".code-indexer/embeddings.cache");
    long before = Files.size(cache);
    Process indexing = cidxProcess(repo, "index");
    await().atMost(Duration.ofMinutes(3)).until(() -> Files.size(cache) > before || !indexing.isAlive());
    assertThat(indexing.isAlive()).as("indexing still running when the first batch was flushed").isTrue();
    indexing.destroyForcibly().waitFor();

    StandaloneSearchIT.Run query = cidx(repo, "query", "--fts", "healthz", "-q");
    assertThat(query.exit()).as("the previous commit still answers").isZero();
    assertThat(cidx(repo, "status", "--json").json().get("index").get("chunks").asInt()).isEqualTo(chunks);

    JsonNode resumed = index();
    assertThat(resumed.get("chunks_reused").asInt()).as("embeddings flushed before the kill").isPositive();
    assertThat(cidx(repo, "query", "--fts", "notes5", "-q").out()).contains("docs/notes-5.md");
  }

  /** Text long enough to need several embedding batches. */
  private static String notes(int n) {
    StringBuilder sb = new StringBuilder("# Notes " + n + "\n\nnotes" + n + "\n\n");
    for (int i = 0; i < 1200; i++) {
      sb.append("Line ").append(i).append(" of meeting notes ").append(n)
          .append(": discussed upload retries, thumbnail sizes and the gateway timeout budget.\n");
      if (i % 7 == 0) {
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /** `cidx ARGS` as a separate JVM, standalone, so it can be killed. */
  static Process cidxProcess(Path cwd, String... args) throws IOException {
    Path home = Path.of(System.getProperty("cidx.home", "."));
    String classpath = home.resolve("target/cidx.jar") + File.pathSeparator + home.resolve("target/lib/*");
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath, "dev.cidx.cli.Cli"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
        .redirectErrorStream(true).redirectOutput(cwd.resolve("../index-process.log").toFile());
    pb.environment().put("CIDX_NO_DAEMON", "1");
    // No full-text-first commit: the test kills a run that must not have committed anything yet.
    pb.environment().put("CIDX_TEXT_FIRST_CHUNKS", "1000000");
    return pb.start();
  }
}
