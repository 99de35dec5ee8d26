package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.client.DaemonControl;
import dev.cidx.config.RepoPaths;
import dev.cidx.testing.CidxProcess;
import dev.cidx.testing.CidxProcess.Result;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What survives a crash and a full or read-only disk: real {@code cidx} processes and daemons on a copy
 * of the example repository, with the real model.
 *
 * <p>The daemon is killed with SIGKILL at three points of an index run (as it starts, while it embeds,
 * while it commits); after each, the index must be the previous commit or the new one, queries must
 * answer, and the next run must reuse the embeddings already flushed.
 *
 * <p>A read-only {@code .code-indexer} and a full disk are made without privileges (the tests run as
 * root in CI, where permissions stop nothing): in a private user and mount namespace
 * ({@code unshare -Urm}), the directory is bind-mounted read-only over itself, or replaced by a small
 * tmpfs holding a copy of it. Everything a namespace runs is one shell script; each cidx command in it
 * leaves its exit code, stdout and stderr in files this test reads.
 *
 * <p>The tests share one repository and run in order, but each measures "before" itself and adds its own
 * files, so any one of them also runs alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IndexDurabilityIT {
  private static final Map<String, String> STANDALONE = Map.of("CIDX_NO_DAEMON", "1");
  private static final Path CIDX = CidxProcess.HOME.resolve("bin/cidx");

  @TempDir
  static Path tmp;

  private Path dir;
  private RepoPaths repo;
  private final List<String> timings = new ArrayList<>();

  @BeforeAll
  void indexTheExampleRepository() throws IOException {
    dir = tmp.resolve("examples");
    StandaloneSearchIT.copyTree(CidxProcess.HOME.resolve("examples"), dir);
    repo = new RepoPaths(dir);
    assertThat(CidxProcess.run(dir, STANDALONE, "init").exit()).isZero();
    Result first = CidxProcess.run(dir, STANDALONE, "index", "--json");
    assertThat(first.exit()).as(first.err()).isZero();
  }

  @AfterAll
  void stopDaemonsAndPrintTimings() {
    DaemonCommands.stop(repo);
    timings.forEach(t -> System.out.println("IndexDurabilityIT timing: " + t));
  }

  // ---------------------------------------------------------------------------------------------------
  // SIGKILL of the daemon during `cidx index`

  @Test
  @Order(1)
  void sigkillOfTheDaemonAsTheRunStarts_keepsTheLastCommit_andTheNextRunIndexesEverything() throws IOException {
    Committed before = committed();
    addNotes("early", 2, 150);
    CidxProcess.Running client = CidxProcess.start(dir, Map.of(), "index", "--json");
    JsonNode status = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
        .until(this::daemonStatusOrNull, s -> s != null && s.path("indexing").isObject());
    long pid = status.path("pid").asLong();
    String phase = status.path("indexing").path("phase").asText();
    killHard(pid);

    // A client that had heard from the run reports the loss; one killed before the first progress
    // notification reached it cannot tell the daemon died after taking the request, and indexes standalone.
    Result r = client.await();
    boolean fellBack = r.exit() == 0;
    if (fellBack) {
      assertThat(r.err()).startsWith("cidx: daemon unavailable (").contains("; running standalone\n");
      assertThat(r.json().path("via").asText()).isEqualTo("standalone");
      assertThat(r.json().path("files_indexed").asInt()).isEqualTo(2);
    } else {
      assertClientLostTheDaemon(r);
    }
    Committed after = committed();
    if (fellBack) {
      assertThat(after).as("the standalone run committed").isNotEqualTo(before);
    } else {
      assertThat(after).as("the killed run committed nothing").isEqualTo(before);
    }
    assertQueriesAnswerFrom(after, "earlynotesb", "docs/early-notes-1.md", fellBack);
    assertThat(DaemonControl.ping(repo).orElseThrow().pid()).as("a new daemon answered those queries").isNotEqualTo(pid);

    JsonNode next = index();
    assertThat(next.path("files_indexed").asInt()).isEqualTo(fellBack ? 0 : 2);
    assertThat(next.path("chunks_total").asInt()).isGreaterThan(before.chunks());
    assertQueriesAnswerFrom(committed(), "earlynotesb", "docs/early-notes-1.md", true);
    timings.add("killed in phase " + phase + (fellBack ? ", before the client heard of the run: it indexed standalone"
        : "; the next run embedded " + next.path("chunks_embedded").asInt() + " chunks and reused "
        + next.path("chunks_reused").asInt()));
  }

  @Test
  @Order(2)
  void sigkillOfTheDaemonWhileItEmbeds_keepsTheLastCommit_andTheNextRunReusesWhatWasFlushed() throws IOException {
    Committed before = committed();
    addNotes("mid", 3, 500);
    long cacheBefore = Files.size(repo.embeddingCacheFile());
    CidxProcess.Running client = CidxProcess.start(dir, Map.of(), "index", "--json");
    JsonNode status = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
        .until(this::daemonStatusOrNull, s -> s != null && s.path("indexing").path("chunks_embedded").asInt() >= 30);
    long pid = status.path("pid").asLong();
    int embeddedSeen = status.path("indexing").path("chunks_embedded").asInt();
    int toEmbed = status.path("indexing").path("chunks_to_embed").asInt();
    assertThat(embeddedSeen).as("killed part way through embedding").isLessThan(toEmbed);
    killHard(pid);

    assertClientLostTheDaemon(client.await());
    assertThat(Files.size(repo.embeddingCacheFile())).as("batches flushed before the kill")
        .isGreaterThan(cacheBefore);
    Committed after = committed();
    assertThat(after).as("the killed run committed nothing").isEqualTo(before);
    assertQueriesAnswerFrom(after, "midnotesc", "docs/mid-notes-2.md", false);

    JsonNode next = index();
    int embedded = next.path("chunks_embedded").asInt();
    int reused = next.path("chunks_reused").asInt();
    // Only new, distinct text changed, so a run from scratch would embed every chunk it found: embedded + reused.
    assertThat(reused).as("every chunk embedded before the kill is reused").isGreaterThanOrEqualTo(embeddedSeen);
    assertThat(embedded).as("fewer than from scratch").isLessThan(embedded + reused);
    assertThat(next.path("files_indexed").asInt()).isEqualTo(3);
    assertQueriesAnswerFrom(committed(), "midnotesc", "docs/mid-notes-2.md", true);
    timings.add(String.format(Locale.ROOT, "killed after %d of %d chunks embedded; the next run embedded %d, reused %d",
        embeddedSeen, toEmbed, embedded, reused));
  }

  @Test
  @Order(3)
  void sigkillOfTheDaemonWhileItCommits_leavesTheOldOrTheNewCommit_andTheNextRunEmbedsNothing() throws IOException {
    Committed before = committed();
    addNotes("late", 2, 300);
    CidxProcess.Running client = CidxProcess.start(dir, Map.of(), "index", "--json");
    AtomicReference<JsonNode> last = new AtomicReference<>();
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(5)).until(() -> {
      JsonNode s = daemonStatusOrNull();
      if (s != null && s.path("indexing").isObject()) {
        last.set(s);
      }
      return "committing".equals(s == null ? null : s.path("indexing").path("phase").asText()) || !client.isAlive();
    });
    assertThat(client.isAlive()).as("the run was seen committing before it ended").isTrue();
    killHard(last.get().path("pid").asLong());

    assertClientLostTheDaemon(client.await());
    Committed killed = committed();
    boolean newCommit = !killed.equals(before);
    assertQueriesAnswerFrom(killed, "latenotesb", "docs/late-notes-1.md", newCommit);

    JsonNode next = index();
    assertThat(next.path("chunks_embedded").asInt()).as("everything was embedded before the commit began").isZero();
    Committed done = committed();
    assertThat(killed).as("the old commit or the new one").isIn(before, done);
    assertThat(next.path("files_indexed").asInt()).isEqualTo(newCommit ? 0 : 2);
    assertQueriesAnswerFrom(done, "latenotesb", "docs/late-notes-1.md", true);
    timings.add("killed while committing: " + (newCommit ? "the commit had landed" : "the old commit stayed"));
  }

  // ---------------------------------------------------------------------------------------------------
  // A read-only .code-indexer

  @Test
  @Order(4)
  void readOnlyDataDirectory_indexFailsWithOneLine_queriesStillAnswer_andTheIndexIsIntactAfterwards()
      throws IOException {
    requireNamespaces();
    DaemonCommands.stop(repo);
    Committed before = committed();
    Files.writeString(dir.resolve("docs/readonly.md"), "# Read-only\n\nreadonlyzebra grazes on the lawn.\n");
    Path health = dir.resolve("gateway/health.go");
    Files.writeString(health, Files.readString(health) + "\n// edited while read-only\n");
    Path data = repo.dataDir();

    Map<String, Result> r = inNamespace("mount --bind \"$DATA\" \"$DATA\" && mount -o remount,bind,ro \"$DATA\" \"$DATA\"",
        Map.of("DATA", data.toString()),
        step("index", STANDALONE, "index"),
        step("fts", STANDALONE, "query", "--fts", "healthz", "-q"),
        step("semantic", STANDALONE, "query", "--semantic", "graceful shutdown of the gateway", "-q"),
        step("absent", STANDALONE, "query", "--fts", "readonlyzebra", "-q"),
        step("status", STANDALONE, "status", "--json"),
        // With the daemon enabled and none running: it cannot start in a read-only directory.
        step("daemonQuery", Map.of(), "query", "--fts", "healthz", "-q"),
        step("daemonIndex", Map.of(), "index"));

    String readOnly = "cidx: cannot write the index: " + data + " is on a read-only file system; the last committed "
        + "index is intact\n";
    assertThat(r.get("index").exit()).isEqualTo(2);
    assertThat(r.get("index").err()).isEqualTo(readOnly);
    assertThat(r.get("fts").exit()).as(r.get("fts").err()).isZero();
    assertThat(r.get("fts").err()).isEmpty();
    assertThat(r.get("semantic").exit()).as("a query needs no write: " + r.get("semantic").err()).isZero();
    assertThat(r.get("semantic").err()).isEmpty();
    assertThat(r.get("absent").exit()).as("the last commit, without the new file").isEqualTo(1);
    assertThat(Committed.of(r.get("status").json())).isEqualTo(before);
    assertThat(r.get("daemonQuery").exit()).as(r.get("daemonQuery").err()).isZero();
    assertThat(r.get("daemonQuery").err()).startsWith("cidx: daemon unavailable (").contains("Read-only file system")
        .endsWith("; running standalone\n");
    assertThat(r.get("daemonIndex").exit()).isEqualTo(2);
    assertThat(r.get("daemonIndex").err().lines().toList()).hasSize(2).last().isEqualTo(readOnly.strip());

    assertThat(committed()).as("intact outside the namespace").isEqualTo(before);
    JsonNode next = index();
    assertThat(next.path("files_indexed").asInt()).isEqualTo(2);
    assertThat(CidxProcess.run(dir, "query", "--fts", "readonlyzebra", "-q").out()).contains("docs/readonly.md");
  }

  @Test
  @Order(5)
  void dataDirectoryTurnedReadOnlyUnderARunningDaemon_indexFailsWithOneLine_queriesAndStopStillWork()
      throws IOException {
    requireNamespaces();
    DaemonCommands.stop(repo);
    Committed before = committed();
    Files.writeString(dir.resolve("docs/readonly-daemon.md"), "# Read-only\n\nreadonlyokapi browses.\n");
    Path data = repo.dataDir();

    // The daemon starts inside the namespace, with a writable directory, which then turns read-only.
    Map<String, Result> r = inNamespace("true", Map.of("DATA", data.toString()),
        step("start", Map.of(), "start"),
        remountReadOnly(),
        step("index", Map.of(), "index", "--json"),
        step("fts", Map.of(), "query", "--fts", "healthz", "-q", "--json"),
        step("semantic", Map.of(), "query", "--semantic", "graceful shutdown of the gateway", "-q"),
        step("absent", Map.of(), "query", "--fts", "readonlyokapi", "-q"),
        step("stop", Map.of(), "stop"));
    assertThat(r.get("start").exit()).as(r.get("start").err()).isZero();
    assertThat(r.get("remount").exit()).as(r.get("remount").err()).isZero();
    assertThat(r.get("index").exit()).isEqualTo(2);
    assertThat(r.get("index").err()).isEqualTo("cidx: cannot write the index: " + data + " is on a read-only file "
        + "system; the last committed index is intact\n");
    assertThat(r.get("fts").exit()).as(r.get("fts").err()).isZero();
    assertThat(r.get("fts").json().path("via").asText()).isEqualTo("daemon");
    assertThat(r.get("semantic").exit()).as(r.get("semantic").err()).isZero();
    assertThat(r.get("absent").exit()).isEqualTo(1);
    assertThat(r.get("stop").exit()).as(r.get("stop").err()).isZero();
    assertThat(r.get("stop").millis()).as("stop does not wait for a socket that cannot be removed").isLessThan(15_000);

    assertThat(committed()).isEqualTo(before);
    JsonNode next = index();
    assertThat(next.path("files_indexed").asInt()).isEqualTo(1);
    assertThat(CidxProcess.run(dir, "query", "--fts", "readonlyokapi", "-q").out()).contains("docs/readonly-daemon.md");
  }

  // ---------------------------------------------------------------------------------------------------
  // A full disk

  @Test
  @Order(6)
  void fullDisk_indexFailsWithOneLine_inTheDaemonAndStandalone_queriesStillAnswer_andARunWithSpaceSucceeds()
      throws IOException {
    requireNamespaces();
    DaemonCommands.stop(repo);
    Committed before = committed();
    List<Path> notes = addNotes("full", 3, 300);
    Path data = repo.dataDir();
    // A copy of the committed index to put on the tmpfs; daemon files (socket, lock, log) stay behind.
    Path staging = Files.createTempDirectory(tmp, "staging");
    for (String name : List.of("config.json", ".gitignore", "embeddings.cache")) {
      if (Files.exists(data.resolve(name))) {
        Files.copy(data.resolve(name), staging.resolve(name));
      }
    }
    Files.createDirectories(staging.resolve("index"));
    try (var files = Files.list(repo.indexDir())) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.copy(p, staging.resolve("index").resolve(p.getFileName()));
      }
    }
    // Room for what is there, the daemon's few small files and about one batch of embeddings: not for
    // the rest of the embeddings, the new segments and a second vector file as large as the first.
    long kib = kibibytesOnDisk(staging) + 160;

    String noSpace = "cidx: cannot write the index: no space left on device for " + data + "; free some space and run "
        + "`cidx index` again; the last committed index is intact\n";
    Map<String, Result> r = inNamespace("mount -t tmpfs -o size=" + kib + "k tmpfs \"$DATA\" && cp -a \"$STAGING/.\" \"$DATA/\"",
        Map.of("DATA", data.toString(), "STAGING", staging.toString()),
        step("start", Map.of(), "start"),
        step("daemonIndex", Map.of(), "index", "--json"),
        step("daemonFts", Map.of(), "query", "--fts", "healthz", "-q", "--json"),
        step("daemonSemantic", Map.of(), "query", "--semantic", "graceful shutdown of the gateway", "-q"),
        step("stop", Map.of(), "stop"),
        step("index", STANDALONE, "index", "--json"),
        step("fts", STANDALONE, "query", "--fts", "healthz", "-q"),
        step("semantic", STANDALONE, "query", "--semantic", "graceful shutdown of the gateway", "-q"),
        step("absent", STANDALONE, "query", "--fts", "fullnotesc", "-q"),
        step("status", STANDALONE, "status", "--json"),
        new Step("grow", "mount -o remount,size=64m \"$DATA\""),
        step("indexWithSpace", STANDALONE, "index", "--json"),
        step("present", STANDALONE, "query", "--fts", "fullnotesc", "-q"));

    assertThat(r.get("start").exit()).as(r.get("start").err()).isZero();
    assertThat(r.get("daemonIndex").exit()).isEqualTo(2);
    assertThat(r.get("daemonIndex").err()).isEqualTo(noSpace);
    assertThat(r.get("daemonFts").exit()).as(r.get("daemonFts").err()).isZero();
    assertThat(r.get("daemonFts").json().path("via").asText()).isEqualTo("daemon");
    assertThat(r.get("daemonSemantic").exit()).as(r.get("daemonSemantic").err()).isZero();
    assertThat(r.get("stop").exit()).as(r.get("stop").err()).isZero();
    assertThat(r.get("index").exit()).isEqualTo(2);
    assertThat(r.get("index").err()).isEqualTo(noSpace);
    assertThat(r.get("fts").exit()).as(r.get("fts").err()).isZero();
    assertThat(r.get("semantic").exit()).as(r.get("semantic").err()).isZero();
    assertThat(r.get("absent").exit()).as("the last commit, without the new files").isEqualTo(1);
    assertThat(Committed.of(r.get("status").json())).isEqualTo(before);
    assertThat(r.get("grow").exit()).as(r.get("grow").err()).isZero();
    assertThat(r.get("indexWithSpace").exit()).as(r.get("indexWithSpace").err()).isZero();
    JsonNode withSpace = r.get("indexWithSpace").json();
    assertThat(withSpace.path("files_indexed").asInt()).isEqualTo(notes.size());
    assertThat(withSpace.path("chunks_reused").asInt()).as("batches flushed before the disk filled up").isPositive();
    assertThat(r.get("present").out()).contains("docs/full-notes-2.md");
    timings.add("full disk (" + kib + " KiB tmpfs): the run with space embedded "
        + withSpace.path("chunks_embedded").asInt() + " chunks and reused " + withSpace.path("chunks_reused").asInt());

    // Outside, the real directory never saw any of it.
    assertThat(committed()).isEqualTo(before);
    for (Path p : notes) {
      Files.delete(p);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Helpers

  /** The committed index as status reports it: what "the old or the new commit" is compared by. */
  record Committed(int files, int chunks, String lastIndexed) {
    static Committed of(JsonNode status) {
      JsonNode index = status.path("index");
      return new Committed(index.path("files").asInt(), index.path("chunks").asInt(),
          index.path("last_indexed").asText());
    }
  }

  private Committed committed() {
    Result status = CidxProcess.run(dir, "status", "--json");
    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(status.json().path("index").path("indexed").asBoolean()).isTrue();
    return Committed.of(status.json());
  }

  /** {@code cidx index --json} through the daemon (starting one if needed); must succeed. */
  private JsonNode index() {
    Result run = CidxProcess.run(dir, "index", "--json");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).isEmpty();
    return run.json();
  }

  private JsonNode daemonStatusOrNull() {
    return DaemonControl.statusJson(repo).orElse(null);
  }

  /** SIGKILL, and wait until the process is gone. */
  private static void killHard(long pid) {
    ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
    assertThat(daemon.destroyForcibly()).isTrue();
    try {
      daemon.onExit().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("process " + pid + " did not die", e);
    }
  }

  private static void assertClientLostTheDaemon(Result client) {
    assertThat(client.exit()).as(client.err()).isEqualTo(2);
    assertThat(client.err()).contains("cidx: daemon lost during indexing (")
        .contains("the last committed index is unchanged").doesNotContain("\tat ");
  }

  /**
   * Full-text and semantic queries (through the daemon, which starts if the last one was killed) answer
   * from {@code commit}, with or without the file {@code path} found by its unique {@code word}.
   */
  private void assertQueriesAnswerFrom(Committed commit, String word, String path, boolean withFile) {
    assertThat(committed()).isEqualTo(commit);
    Result fts = CidxProcess.run(dir, "query", "--fts", "healthz", "-q");
    assertThat(fts.exit()).as(fts.err()).isZero();
    Result semantic = CidxProcess.run(dir, "query", "--semantic", "graceful shutdown of the gateway", "-q");
    assertThat(semantic.exit()).as(semantic.err()).isZero();
    Result unique = CidxProcess.run(dir, "query", "--fts", word, "-q");
    // The vector file of the same commit: an exact filtered semantic search finds the file iff it is there.
    Result vectors = CidxProcess.run(dir, "query", "--semantic", "meeting notes", "--path-filter", path, "-q");
    for (Result r : List.of(fts, semantic, unique)) {
      assertThat(r.err()).isEmpty();
    }
    // A path filter naming a file the commit lacks says so.
    assertThat(vectors.err()).isEqualTo(withFile ? "" : "cidx: --path-filter '" + path + "' matches no indexed file\n");
    if (withFile) {
      assertThat(unique.exit()).isZero();
      assertThat(unique.out()).contains(path);
      assertThat(vectors.exit()).isZero();
      assertThat(vectors.out()).contains(path);
    } else {
      assertThat(unique.exit()).as("not in this commit: " + unique.out()).isEqualTo(1);
      assertThat(vectors.exit()).as("not in this commit: " + vectors.out()).isEqualTo(1);
    }
  }

  /**
   * New documents of distinct text (each line names its file), each found by one word: {@code <prefix>notes}
   * and a letter, a for the first ({@code latenotesb} is in {@code late-notes-1.md}). No digit: the analyzer
   * would split it off, and "1" matches everywhere.
   */
  private List<Path> addNotes(String prefix, int files, int lines) throws IOException {
    List<Path> added = new ArrayList<>();
    for (int n = 0; n < files; n++) {
      StringBuilder sb = new StringBuilder("# Notes " + prefix + n + "\n\n" + prefix + "notes" + (char) ('a' + n)
          + "\n\n");
      for (int i = 0; i < lines; i++) {
        sb.append("Line ").append(i).append(" of ").append(prefix).append(" meeting notes ").append(n)
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

  // --- namespaces

  private static Boolean namespaces;

  /** User and mount namespaces are needed to make a read-only or full directory when running as root. */
  private static void requireNamespaces() {
    if (namespaces == null) {
      try {
        Process p = new ProcessBuilder("unshare", "-Urm", "true").redirectErrorStream(true).start();
        namespaces = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
      } catch (IOException e) {
        namespaces = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        namespaces = false;
      }
    }
    // Required, not assumed: a test that quietly skips proves nothing. .ci/run installs util-linux.
    assertThat(namespaces).as("`unshare -Urm` (util-linux, user namespaces) must work to test a read-only or "
        + "full .code-indexer").isTrue();
  }

  /** One command of a namespace script: a shell line whose exit code, stdout and stderr are kept. */
  private record Step(String name, String shell) {}

  private static Step step(String name, Map<String, String> env, String... cidxArgs) {
    StringBuilder sb = new StringBuilder("env -u CIDX_NO_DAEMON -u CIDX_DEBUG");
    env.forEach((k, v) -> sb.append(' ').append(k).append('=').append(quote(v)));
    sb.append(' ').append(quote(CIDX.toString()));
    for (String a : cidxArgs) {
      sb.append(' ').append(quote(a));
    }
    return new Step(name, sb.toString());
  }

  private static Step remountReadOnly() {
    return new Step("remount", "mount --bind \"$DATA\" \"$DATA\" && mount -o remount,bind,ro \"$DATA\" \"$DATA\"");
  }

  /**
   * Runs {@code setup} and then {@code steps} in a new user and mount namespace, in the repository, and
   * returns each step's result by name. The setup failing fails the test.
   */
  private Map<String, Result> inNamespace(String setup, Map<String, String> vars, Step... steps) throws IOException {
    Path out = Files.createTempDirectory(tmp, "ns");
    Path daemonPid = out.resolve("daemon.pid");
    StringBuilder script = new StringBuilder("set -u\n").append(setup).append(" || exit 97\n");
    for (Step s : steps) {
      String f = quote(out.resolve(s.name()).toString());
      script.append("t0=$(date +%s%N); ").append(s.shell()).append(" >").append(f).append(".out 2>").append(f)
          .append(".err </dev/null; echo $? >").append(f).append(".exit; echo $(( ($(date +%s%N) - t0) / 1000000 )) >")
          .append(f).append(".ms\n");
      // The pid of a daemon started here, which may live on a tmpfs this JVM cannot see.
      script.append("cat \"$DATA/daemon.lock\" >>").append(quote(daemonPid.toString())).append(" 2>/dev/null\n");
    }
    ProcessBuilder pb = new ProcessBuilder("unshare", "-Urm", "sh", "-c", script.toString()).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(out.resolve("script.log").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(vars);
    long t0 = System.nanoTime();
    Instant started = Instant.now();
    try {
      Process p = pb.start();
      if (!p.waitFor(6, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("the namespace script did not finish: " + Files.readString(out.resolve("script.log")));
      }
      assertThat(p.exitValue()).as("namespace setup: " + Files.readString(out.resolve("script.log"))).isNotEqualTo(97);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      // A daemon started in the namespace must not outlive it, even when a step failed.
      killDaemonsStartedSince(daemonPid, started);
    }
    timings.add(String.format(Locale.ROOT, "namespace script of %d steps: %.1f s", steps.length,
        (System.nanoTime() - t0) / 1e9));
    Map<String, Result> results = new LinkedHashMap<>();
    for (Step s : steps) {
      Path base = out.resolve(s.name());
      results.put(s.name(), new Result(Integer.parseInt(Files.readString(Path.of(base + ".exit")).strip()),
          Files.readString(Path.of(base + ".out")), Files.readString(Path.of(base + ".err")),
          Double.parseDouble(Files.readString(Path.of(base + ".ms")).strip())));
    }
    return results;
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** Bytes the files under {@code root} take in whole 4 KiB pages, as on a tmpfs, in KiB. */
  private static long kibibytesOnDisk(Path root) throws IOException {
    long[] pages = {0};
    try (var files = Files.walk(root)) {
      files.filter(Files::isRegularFile).forEach(p -> {
        try {
          pages[0] += (Files.size(p) + 4095) / 4096;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    }
    return pages[0] * 4;
  }

  /**
   * Kills each process whose pid is a line of {@code pidFile} and which started after {@code since} (so a
   * pid reused by an unrelated process is left alone).
   */
  private static void killDaemonsStartedSince(Path pidFile, Instant since) {
    List<String> lines;
    try {
      lines = Files.exists(pidFile) ? Files.readAllLines(pidFile, StandardCharsets.US_ASCII) : List.of();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    for (String line : lines) {
      try {
        ProcessHandle.of(Long.parseLong(line.strip()))
            .filter(p -> p.info().startInstant().map(t -> !t.isBefore(since.minusSeconds(1))).orElse(false))
            .filter(p -> p.pid() != ProcessHandle.current().pid())
            .ifPresent(p -> {
              p.destroyForcibly();
              p.onExit().join();
            });
      } catch (NumberFormatException e) {
        // a lock file caught while being written
      }
    }
  }
}
