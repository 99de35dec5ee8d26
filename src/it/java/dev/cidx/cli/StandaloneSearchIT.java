package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone path end to end on the bundled example repository: the real model, real Lucene and
 * HNSW indexes on disk, the same command tree users run. Indexed once for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandaloneSearchIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path tmp;

  private Path repo;

  /** What one command printed and returned. */
  record Run(int exit, String out, String err) {
    JsonNode json() throws IOException {
      return JSON.readTree(out);
    }

    List<String> paths() throws IOException {
      List<String> out = new ArrayList<>();
      json().get("results").forEach(r -> out.add(r.get("path").asText()));
      return out;
    }
  }

  static Run cidx(Path cwd, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    // Standalone by definition: `cidx index` would otherwise go through (and start) a daemon.
    int code = Cli.run(List.of(args), new Cli.Context(cwd, Map.of("CIDX_NO_DAEMON", "1"), Terminal.PLAIN,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        Optional.empty()));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.toString().contains(".code-indexer")) {
          Files.copy(p, target);
        }
      }
    }
  }

  @BeforeAll
  void indexTheExampleRepository() throws IOException {
    repo = tmp.resolve("examples");
    copyTree(Path.of(System.getProperty("cidx.home", ".")).resolve("examples"), repo);
    assertThat(cidx(repo, "init").exit()).isZero();
    Run index = cidx(repo, "index", "--json");
    assertThat(index.exit()).as(index.err()).isZero();
    JsonNode run = index.json();
    assertThat(run.get("files_indexed").asInt()).isGreaterThan(15);
    assertThat(run.get("chunks_total").asInt()).isEqualTo(run.get("chunks_embedded").asInt());
    assertThat(run.get("seconds").asDouble()).isPositive();
  }

  @Test
  void semanticSearch_findsCodeByMeaning() throws IOException {
    Run r = cidx(repo, "query", "--semantic", "wait longer after each failed attempt", "--json", "-l", "3");
    assertThat(r.exit()).isZero();
    assertThat(r.paths()).anyMatch(p -> p.endsWith("BackoffCalculator.java") || p.endsWith("RetryPolicy.java"));
    JsonNode first = r.json().get("results").get(0);
    assertThat(first.get("semantic_rank").asInt()).isEqualTo(1);
    assertThat(first.get("fts_rank").isNull()).isTrue();
    assertThat(r.json().get("via").asText()).isEqualTo("standalone");
  }

  @Test
  void fullTextSearch_splitsIdentifiersButRanksTheExactOneFirst() throws IOException {
    Run exact = cidx(repo, "query", "--fts", "parseHeaderLine", "--json", "-l", "5", "--language", "java");
    assertThat(exact.paths().get(0)).endsWith("HttpHeaderParser.java");
    assertThat(exact.json().get("results").get(0).get("snippet").asText()).contains("parseHeaderLine");

    Run split = cidx(repo, "query", "--fts", "header max", "--json", "--language", "java");
    assertThat(split.paths()).anyMatch(p -> p.endsWith("HttpHeaderParser.java"));
  }

  @Test
  void hybrid_isTheDefaultAndSaysWhichSearchFoundEachResult() throws IOException {
    Run r = cidx(repo, "query", "token bucket rate limit", "--json");
    assertThat(r.exit()).isZero();
    JsonNode json = r.json();
    assertThat(json.get("mode").asText()).isEqualTo("hybrid");
    assertThat(r.paths().get(0)).endsWith("RateLimiter.java");
    JsonNode first = json.get("results").get(0);
    assertThat(first.get("semantic_rank").isNull() && first.get("fts_rank").isNull()).isFalse();
  }

  @Test
  void filters_languageAndPathsAreAppliedInsideTheSearch() throws IOException {
    Run go = cidx(repo, "query", "shut down gracefully", "--language", "go", "--json", "-l", "5");
    assertThat(go.paths()).isNotEmpty().allMatch(p -> p.endsWith(".go"));
    assertThat(go.paths()).hasSize(5);

    Run web = cidx(repo, "query", "cancel an in-flight request", "--path-filter", "web/**", "--json");
    assertThat(web.paths()).isNotEmpty().allMatch(p -> p.startsWith("web/"));
    assertThat(web.paths().subList(0, 3)).contains("web/src/apiClient.ts");
    Run webSemantic = cidx(repo, "query", "--semantic", "cancel an in-flight request", "--path-filter", "web/**",
        "--json");
    assertThat(webSemantic.paths().get(0)).isEqualTo("web/src/apiClient.ts");

    Run excluded = cidx(repo, "query", "retry", "--path-filter", "backend/**", "--exclude-path", "**/upload/**",
        "--json", "-l", "20");
    assertThat(excluded.paths()).isNotEmpty().allMatch(p -> p.startsWith("backend/") && !p.contains("/upload/"));

    Run py = cidx(repo, "query", "find duplicate photos", "--language", "py", "--exclude-language", "markdown", "--json");
    assertThat(py.paths()).isNotEmpty().allMatch(p -> p.endsWith(".py"));
  }

  @Test
  void quietPrintsOneLocationPerLine() {
    Run r = cidx(repo, "query", "thumbnail", "-q", "-l", "2");
    assertThat(r.exit()).isZero();
    assertThat(r.out().lines()).hasSize(2).allMatch(l -> l.matches("[\\w./-]+:\\d+-\\d+"));
  }

  @Test
  void humanOutputShowsRankScoreLocationLanguageAndNumberedSnippet() {
    Run r = cidx(repo, "query", "--fts", "HTTP_HEADER_MAX", "-l", "1", "--snippet-lines", "2");
    assertThat(r.exit()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).matches(" 1\\. \\d+\\.\\d{3}  \\S+:\\d+-\\d+  \\w+  \\[fts #1]");
    assertThat(lines.get(1)).matches("  \\d+  .*");
    assertThat(r.out()).doesNotContain("\u001b[");
  }

  @Test
  void noResults_exitsOne() {
    Run r = cidx(repo, "query", "--fts", "zzyzxquux");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("no results");
  }

  @Test
  void fullText_requiresEveryWord_andAnyLoosensIt() throws IOException {
    Run every = cidx(repo, "query", "--fts", "retry frobnicate", "--json");
    assertThat(every.exit()).as("no chunk holds 'frobnicate'").isEqualTo(1);
    assertThat(every.paths()).isEmpty();

    Run any = cidx(repo, "query", "--fts", "--any", "retry frobnicate", "--json");
    assertThat(any.exit()).isZero();
    assertThat(any.paths()).anyMatch(p -> p.endsWith("RetryPolicy.java"));

    Run hybrid = cidx(repo, "query", "retry frobnicate", "--json");
    assertThat(hybrid.exit()).as("hybrid's full-text half matches any word").isZero();
  }

  @Test
  void pathFilterThatMatchesNothing_saysSoWithTheLikelyPattern() throws IOException {
    Run r = cidx(repo, "query", "--fts", "upload", "--path-filter", "*/upload/*", "--json");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("cidx: --path-filter '*/upload/*' matches no indexed file; "
        + "did you mean '**/upload/**'? (* stops at /, ** crosses directories)");
    assertThat(r.json().get("warnings").get(0).asText()).startsWith("--path-filter '*/upload/*'");

    Run meant = cidx(repo, "query", "--fts", "upload", "--path-filter", "**/upload/**", "--json");
    assertThat(meant.exit()).isZero();
    assertThat(meant.err()).isEmpty();
  }

  @Test
  void badInput_getsOneLineAndExitTwo() {
    Run regex = cidx(repo, "query", "--fts", "--regex", "parse(");
    assertThat(regex.exit()).isEqualTo(2);
    assertThat(regex.err().strip()).isEqualTo("cidx: invalid regex 'parse(': unexpected end-of-string");

    Run glob = cidx(repo, "query", "x", "--path-filter", "src/[a");
    assertThat(glob.exit()).isEqualTo(2);
    assertThat(glob.err().strip()).startsWith("cidx: invalid glob 'src/[a'");

    Run semanticRegex = cidx(repo, "query", "--semantic", "--regex", "a.*");
    assertThat(semanticRegex.exit()).isEqualTo(2);
    assertThat(semanticRegex.err()).contains("--regex works with full-text search only");

    Run badOption = cidx(repo, "query", "x", "--limit", "zero");
    assertThat(badOption.exit()).isEqualTo(2);
    assertThat(badOption.err()).doesNotContain("Exception");

    Run language = cidx(repo, "query", "x", "--language", "klingon");
    assertThat(language.exit()).isEqualTo(2);
    assertThat(language.err().lines()).hasSize(1);

    Run perFile = cidx(repo, "query", "x", "--per-file", "-1");
    assertThat(perFile.exit()).isEqualTo(2);
    assertThat(perFile.err().strip()).isEqualTo("cidx: per_file (-1) must not be negative (0 means no limit)");
  }

  @Test
  void perFile_keepsAtMostThatManyResultsFromOneFile() throws IOException {
    Run r = cidx(repo, "query", "retry the request", "--per-file", "1", "--limit", "20", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.paths()).isNotEmpty().doesNotHaveDuplicates();
  }

  @Test
  void noIndex_saysHowToMakeOne() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Run r = cidx(empty, "query", "anything");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("cidx: no index here: run `cidx init` then `cidx index`");

    Path initialized = Files.createDirectories(tmp.resolve("initialized"));
    cidx(initialized, "init");
    Run notIndexed = cidx(initialized, "query", "anything");
    assertThat(notIndexed.exit()).isEqualTo(2);
    assertThat(notIndexed.err().strip()).isEqualTo("cidx: no index here: run `cidx init` then `cidx index`");
  }

  @Test
  void queryWorksFromASubdirectoryAndWithPath() throws IOException {
    Run fromSub = cidx(repo.resolve("gateway"), "query", "--fts", "healthz", "-q");
    assertThat(fromSub.exit()).isZero();
    assertThat(fromSub.out()).contains("gateway/health.go");
    Run withPath = cidx(tmp, "--path", "examples", "query", "--fts", "healthz", "-q");
    assertThat(withPath.out()).isEqualTo(fromSub.out());
  }

  @Test
  void initTwice_saysAlreadyInitialized() {
    Run r = cidx(repo, "init");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("already initialized");
  }

  @Test
  void status_reportsFilesChunksModelAndSize() throws IOException {
    Run r = cidx(repo, "status", "--json");
    assertThat(r.exit()).isZero();
    JsonNode index = r.json().get("index");
    assertThat(index.get("files").asInt()).isGreaterThan(15);
    assertThat(index.get("chunks").asInt()).isGreaterThan(index.get("files").asInt());
    assertThat(index.get("model").asText()).isEqualTo("bge-small-en-v1.5");
    assertThat(index.get("size_bytes").asLong()).isPositive();
  }
}
