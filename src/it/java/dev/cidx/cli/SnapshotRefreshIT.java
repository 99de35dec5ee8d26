package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cidx.client.DaemonControl;
import dev.cidx.config.RepoPaths;
import dev.cidx.testing.CidxProcess;
import dev.cidx.testing.CidxProcess.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's snapshot follows the writer's commits: a file edited under the daemon's watch is found by
 * the first query sent once the update is reported done, and that query did not reopen the index itself
 * (the commit's refresh did, on the refresher thread, as daemon.log says).
 */
class SnapshotRefreshIT {
  private static final Map<String, String> STANDALONE = Map.of("CIDX_NO_DAEMON", "1");

  @TempDir
  Path tmp;

  private Path dir;
  private RepoPaths repo;

  @BeforeEach
  void indexedGitRepository() throws Exception {
    dir = tmp.resolve("repo");
    StandaloneSearchIT.copyTree(CidxProcess.HOME.resolve("examples"), dir);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "sample");
    assertThat(CidxProcess.run(dir, "init").exit()).isZero();
    Result index = CidxProcess.run(dir, STANDALONE, "index", "--json");
    assertThat(index.exit()).as(index.err()).isZero();
    repo = new RepoPaths(dir);
  }

  @AfterEach
  void stopDaemon() {
    DaemonCommands.stop(repo);
  }

  @Test
  void anEditUnderWatch_isFoundByTheFirstQueryAfterTheUpdate_withoutTheQueryReopeningTheIndex() throws IOException {
    Result started = CidxProcess.run(dir, "watch", "--debounce", "0.3");
    assertThat(started.exit()).as(started.err()).isZero();
    assertThat(query("--fts", "capybaraThreshold").out()).doesNotContain("Capybara.java"); // loads the cache
    long updatesBefore = updates();

    Path file = dir.resolve("backend/src/main/java/com/example/photos/Capybara.java");
    Files.writeString(file, "package com.example.photos;\n\n/** Weighs a capybara at the river bank. */\n"
        + "final class Capybara {\n  static final int capybaraThreshold = 42;\n}\n", StandardCharsets.UTF_8);
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
        .until(() -> updates() > updatesBefore && !updating());

    // One query each, no polling: the update is done, so what it committed is what queries read.
    Result fts = query("--fts", "capybaraThreshold");
    assertThat(fts.exit()).as(fts.err()).isZero();
    assertThat(fts.out()).contains("Capybara.java");
    Result semantic = query("--semantic", "weighs a capybara at the river bank", "-l", "3");
    assertThat(semantic.out()).contains("Capybara.java");

    String log = Files.readString(repo.logFile());
    assertThat(log).contains("index snapshot refreshed after a commit")
        .doesNotContain("index snapshot refreshed by a query")
        .doesNotContain("index changed on disk: reopened");
  }

  private Result query(String... args) {
    List<String> argv = new java.util.ArrayList<>(List.of("query"));
    argv.addAll(List.of(args));
    argv.add("-q");
    return CidxProcess.run(dir, argv.toArray(String[]::new));
  }

  private long updates() {
    return DaemonControl.statusJson(repo).orElseThrow().path("watch").path("updates").asLong();
  }

  private boolean updating() {
    return DaemonControl.statusJson(repo).orElseThrow().path("watch").path("updating").asBoolean();
  }

  private void git(String... args) throws IOException {
    List<String> command = new java.util.ArrayList<>(
        List.of("git", "-c", "user.name=cidx", "-c", "user.email=cidx@example.com"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError("git " + String.join(" ", args) + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
