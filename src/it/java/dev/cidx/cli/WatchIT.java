package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.client.DaemonControl;
import dev.cidx.config.RepoPaths;
import dev.cidx.testing.CidxProcess;
import dev.cidx.testing.CidxProcess.Result;
import dev.cidx.testing.LineSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeping the index fresh, with real processes: {@code cidx watch} in the daemon and in the foreground,
 * {@code notify} on the socket, and the git hook from examples/. A change counts as seen when both a
 * full-text and a semantic query say so; each wait is bounded by the debounce plus a generous margin for
 * a loaded machine (the model loads on the first file to embed).
 */
class WatchIT {
  private static final Duration SEEN_WITHIN = Duration.ofSeconds(60);
  private static final Map<String, String> STANDALONE = Map.of("CIDX_NO_DAEMON", "1");

  @TempDir
  Path tmp;

  private Path dir;
  private RepoPaths repo;
  private final List<CidxProcess.Running> running = new ArrayList<>();

  @BeforeEach
  void indexedGitRepository() throws Exception {
    dir = tmp.resolve("repo");
    StandaloneSearchIT.copyTree(CidxProcess.HOME.resolve("examples"), dir);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "sample");
    assertThat(cidx("init").exit()).isZero();
    Result index = CidxProcess.run(dir, STANDALONE, "index", "--json");
    assertThat(index.exit()).as(index.err()).isZero();
    repo = new RepoPaths(dir);
  }

  @AfterEach
  void stopEverything() {
    running.forEach(r -> {
      if (r.isAlive()) {
        r.interrupt();
      }
    });
    DaemonCommands.stop(repo);
  }

  @Test
  void daemonWatch_findsNewModifiedAndDeletedFiles_inBothIndexes_andStopsOnWatchStop() throws IOException {
    Result started = cidx("watch", "--debounce", "0.5");
    assertThat(started.exit()).as(started.err()).isZero();
    assertThat(started.out()).contains("watching " + dir, "in the daemon", "watch-stop");
    assertThat(cidx("watch", "--debounce", "1").out()).contains("already watching", "debounce now 1 s");

    Path zebra = dir.resolve("backend/src/main/java/com/example/photos/zoo/Zebra.java");
    Files.createDirectories(zebra.getParent()); // a new directory too: it must be watched from now on
    Files.writeString(zebra, zebraSource("quokkaCoefficient"), StandardCharsets.UTF_8);
    awaitFound("quokkaCoefficient", "count the stripes on a zebra", "zoo/Zebra.java");

    Files.writeString(zebra, zebraSource("wombatFactor"), StandardCharsets.UTF_8);
    awaitFound("wombatFactor", "count the stripes on a zebra", "zoo/Zebra.java");
    assertThat(fts("quokkaCoefficient")).doesNotContain("Zebra.java");

    Files.delete(zebra);
    await().atMost(SEEN_WITHIN).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      assertThat(fts("wombatFactor")).doesNotContain("Zebra.java");
      assertThat(semantic("count the stripes on a zebra")).doesNotContain("Zebra.java");
    });

    JsonNode watch = cidx("status", "--json").json().path("daemon").path("watch");
    assertThat(watch.path("active").asBoolean()).isTrue();
    assertThat(watch.path("debounce_seconds").asDouble()).isEqualTo(1.0);
    assertThat(watch.path("updates").asLong()).isGreaterThanOrEqualTo(3);
    assertThat(cidx("status").out()).contains("watch:         on since");

    Result stopped = cidx("watch-stop");
    assertThat(stopped.exit()).isZero();
    assertThat(stopped.out()).contains("stopped the daemon's watch");
    assertThat(cidx("status", "--json").json().path("daemon").path("watch").path("active").asBoolean()).isFalse();
    assertThat(cidx("watch-stop").out()).contains("nothing is watching");
  }

  @Test
  void daemonWatch_skipsIgnoredFiles_andCatchesUpWithChangesMadeBeforeItStarted() throws IOException {
    Files.writeString(dir.resolve("docs/before-watch.md"), "# Pangolin\n\nThe pangolinLedger notes.\n");
    Files.writeString(dir.resolve(".gitignore"), "scratch/\n");
    git("add", ".gitignore");
    assertThat(cidx("watch", "--debounce", "0.3").exit()).isZero();
    awaitFound("pangolinLedger", "pangolin ledger notes", "docs/before-watch.md");

    Files.createDirectories(dir.resolve("scratch"));
    Files.writeString(dir.resolve("scratch/Ignored.java"), "class Ignored { int narwhalxq; }\n");
    Files.createDirectories(dir.resolve("node_modules/pkg"));
    Files.writeString(dir.resolve("node_modules/pkg/index.js"), "export const narwhalxq = 1;\n");
    // A later change that is indexed shows the watch has moved past the ignored ones.
    Files.writeString(dir.resolve("docs/after.md"), "# Okapi\n\nThe okapiRegister notes.\n");
    awaitFound("okapiRegister", "okapi register notes", "docs/after.md");
    assertThat(fts("narwhalxq")).isEmpty();
  }

  @Test
  void foregroundWatch_indexesChanges_refusesASecondOne_andEndsOnWatchStop() throws IOException {
    CidxProcess.Running watch = CidxProcess.start(dir, STANDALONE, "watch", "--debounce", "0.3");
    running.add(watch);
    await().atMost(SEEN_WITHIN).until(() -> watch.errSoFar().contains("watching " + dir)
        && watch.outSoFar().contains("up to date"));

    Result second = CidxProcess.run(dir, STANDALONE, "watch");
    assertThat(second.exit()).isEqualTo(2);
    assertThat(second.err().strip()).startsWith("cidx: `cidx watch` is already running").doesNotContain("\n");
    assertThat(cidx("status").out()).contains("`cidx watch` in the foreground");

    Path note = dir.resolve("docs/foreground.md");
    Files.writeString(note, "# Capybara\n\nThe capybaraSchedule notes.\n");
    await().atMost(SEEN_WITHIN).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      assertThat(CidxProcess.run(dir, STANDALONE, "query", "capybaraSchedule", "--fts", "-q").out())
          .contains("docs/foreground.md");
      assertThat(CidxProcess.run(dir, STANDALONE, "query", "capybara schedule notes", "--semantic", "-q").out())
          .contains("docs/foreground.md");
    });
    assertThat(watch.outSoFar()).contains("updated docs/foreground.md: 1 files indexed");

    Result stop = CidxProcess.run(dir, STANDALONE, "watch-stop");
    assertThat(stop.out()).contains("stopped `cidx watch` (pid");
    Result ended = watch.await();
    assertThat(ended.err()).contains("stopped watching").doesNotContain("Exception");
  }

  @Test
  void notify_isAnsweredAtOnce_andIndexesThePathsInTheBackground() throws Exception {
    assertThat(cidx("start").exit()).isZero();
    Path note = dir.resolve("docs/notified.md");
    Files.writeString(note, "# Tapir\n\nThe tapirManifest notes.\n");
    try (LineSocket socket = new LineSocket(repo.socketPath())) {
      socket.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"notify\",\"params\":{\"paths\":[\"docs/notified.md\","
          + "\"/elsewhere/outside.java\"]}}\n");
      JsonNode answer = socket.read(Duration.ofSeconds(10));
      assertThat(answer.path("result").path("accepted").asInt()).isEqualTo(1);
      assertThat(answer.path("result").path("ignored").asInt()).isEqualTo(1);
    }
    awaitFound("tapirManifest", "tapir manifest notes", "docs/notified.md");

    // As a JSON-RPC notification (no id): no answer at all, and the path is still indexed.
    Files.writeString(dir.resolve("docs/notified-2.md"), "# Ibex\n\nThe ibexInventory notes.\n");
    try (LineSocket socket = new LineSocket(repo.socketPath())) {
      socket.send("{\"jsonrpc\":\"2.0\",\"method\":\"notify\",\"params\":{\"paths\":[\"" + dir.resolve("docs/notified-2.md")
          + "\"]}}\n");
      socket.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n");
      assertThat(socket.read(Duration.ofSeconds(10)).path("id").asInt()).isEqualTo(2); // the first answer is ping's
    }
    awaitFound("ibexInventory", "ibex inventory notes", "docs/notified-2.md");
    assertThat(DaemonControl.statusJson(repo).orElseThrow().path("watch").path("active").asBoolean()).isFalse();
  }

  @Test
  void gitHookExample_reindexesWhatABranchSwitchChanged() throws Exception {
    Path hooks = dir.resolve(".git/hooks");
    Files.createDirectories(hooks);
    Files.copy(CidxProcess.HOME.resolve("examples/hooks/post-checkout"), hooks.resolve("post-checkout"));
    assertThat(cidx("start").exit()).isZero();

    git("checkout", "-q", "-b", "feature");
    Files.writeString(dir.resolve("docs/feature.md"), "# Feature\n\nThe axolotlRegistry notes.\n");
    git("add", "-A");
    git("commit", "-q", "-m", "feature");
    git("checkout", "-q", "main");
    assertThat(fts("axolotlRegistry")).isEmpty(); // nothing indexes the commit itself: no watch runs
    git("checkout", "-q", "feature"); // the hook names docs/feature.md, which the daemon indexes
    awaitFound("axolotlRegistry", "axolotl registry notes", "docs/feature.md");
    git("checkout", "-q", "main");
    await().atMost(SEEN_WITHIN).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(fts("axolotlRegistry")).isEmpty());
  }

  private static String zebraSource(String method) {
    return "package com.example.photos.zoo;\n\n"
        + "/** Counts the stripes on a zebra's coat for the photo tagger. */\n"
        + "public final class Zebra {\n"
        + "  /** How many stripes a zebra of this length has. */\n"
        + "  public int " + method + "(int lengthCm) {\n"
        + "    return lengthCm / 3;\n"
        + "  }\n"
        + "}\n";
  }

  /** Waits until both searches find the change, and prints how long that took (each poll is a process). */
  private void awaitFound(String identifier, String meaning, String path) {
    long t0 = System.nanoTime();
    await().atMost(SEEN_WITHIN).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      assertThat(fts(identifier)).contains(path);
      assertThat(semantic(meaning)).contains(path);
    });
    System.out.printf("WatchIT timing: %s searchable in both indexes after %d ms%n", path,
        (System.nanoTime() - t0) / 1_000_000);
  }

  private String fts(String text) {
    Result r = cidx("query", text, "--fts", "-q");
    assertThat(r.exit()).as(r.err()).isIn(0, 1);
    return r.out();
  }

  private String semantic(String text) {
    Result r = cidx("query", text, "--semantic", "-q", "-l", "5");
    assertThat(r.exit()).as(r.err()).isIn(0, 1);
    return r.out();
  }

  private Result cidx(String... args) {
    return CidxProcess.run(dir, Map.of("CIDX_CLIENT", CidxProcess.HOME.resolve("examples/clients/cidx-client").toString()),
        args);
  }

  private void git(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=cidx", "-c", "user.email=cidx@example.com"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("CIDX_CLIENT", CidxProcess.HOME.resolve("examples/clients/cidx-client").toString());
    Process p = pb.start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError("git " + String.join(" ", args) + " failed: "
            + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
