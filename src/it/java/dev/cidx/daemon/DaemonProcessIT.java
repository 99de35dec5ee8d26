package dev.cidx.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.client.DaemonClient;
import dev.cidx.client.DaemonControl;
import dev.cidx.client.DaemonStarter;
import dev.cidx.client.DaemonUnavailableException;
import dev.cidx.config.DaemonSettings;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.Methods;
import dev.cidx.testing.LineSocket;
import dev.cidx.testing.TestRepo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's lifecycle with real processes ({@code java ... dev.cidx.cli.DaemonMain}) on real sockets.
 * Needs {@code target/classes} and {@code target/lib} (the {@code package} phase), so it runs in
 * {@code mvn verify}. Nothing here needs an index: the lifecycle is the same with or without one.
 */
class DaemonProcessIT {
  private static final Path HOME = Path.of(System.getProperty("cidx.home", System.getProperty("user.dir")));

  @TempDir Path root;
  final List<RepoPaths> repos = new ArrayList<>();

  @AfterEach
  void stopEverything() {
    for (RepoPaths repo : repos) {
      DaemonControl.stop(repo, Duration.ofSeconds(10));
      DaemonLock.holderPid(repo).ifPresent(pid -> ProcessHandle.of(pid).ifPresent(p -> {
        if (p.info().command().orElse("").contains("java") && p.pid() != ProcessHandle.current().pid()) {
          p.destroyForcibly();
        }
      }));
    }
  }

  private RepoPaths repo(Path dir, DaemonSettings settings) throws IOException {
    RepoPaths repo = TestRepo.create(dir, settings);
    repos.add(repo);
    return repo;
  }

  private RepoPaths repo() throws IOException {
    return repo(root, DaemonSettings.DEFAULTS);
  }

  static List<String> daemonCommand(RepoPaths repo, String... extra) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-cp", HOME.resolve("target/classes") + ":" + HOME.resolve("target/lib") + "/*",
        "dev.cidx.cli.DaemonMain", "--repo", repo.root().toString()));
    cmd.addAll(Arrays.asList(extra));
    return cmd;
  }

  private static DaemonClient connect(RepoPaths repo) throws DaemonUnavailableException {
    return new DaemonStarter(repo, DaemonSettings.DEFAULTS, daemonCommand(repo)).startupTimeout(Duration.ofSeconds(60))
        .connect();
  }

  private static long pingPid(RepoPaths repo) throws Exception {
    try (DaemonClient c = connect(repo)) {
      return c.call(Methods.PING, null).path("pid").asLong();
    }
  }

  private static String log(RepoPaths repo) throws IOException {
    return Files.readString(repo.logFile(), StandardCharsets.UTF_8);
  }

  @Test
  void firstPing_startsADetachedDaemon_withAnOwnerOnlySocket() throws Exception {
    RepoPaths repo = repo();
    long pid = pingPid(repo);
    assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
    ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
    assertThat(daemon.isAlive()).isTrue();
    assertThat(DaemonLock.holderPid(repo)).hasValue(pid);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(repo.socketPath(), LinkOption.NOFOLLOW_LINKS)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(repo.logFile()))).isEqualTo("rw-------");
    assertThat(log(repo)).contains("daemon started: pid " + pid);
    assertThat(pingPid(repo)).isEqualTo(pid); // the second client reuses it
  }

  @Test
  void sixteenSimultaneousStarts_makeOneDaemon() throws Exception {
    RepoPaths repo = repo();
    int clients = 16;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    Set<Long> pids = new HashSet<>();
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        Callable<Long> task = () -> {
          go.await();
          return pingPid(repo);
        };
        results.add(pool.submit(task));
      }
      go.countDown();
      for (Future<Long> f : results) {
        pids.add(f.get(90, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(pids).hasSize(1);
    assertThat(log(repo).split("daemon started:", -1)).hasSize(2);
  }

  @Test
  void secondDaemon_exitsZero_namingTheRunningPid() throws Exception {
    RepoPaths repo = repo();
    long pid = pingPid(repo);
    Process second = new ProcessBuilder(daemonCommand(repo, "--foreground")).redirectErrorStream(true).start();
    String output = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isZero();
    assertThat(output).contains("a cidx daemon is already running for " + repo.root() + " (pid " + pid + ")");
    assertThat(pingPid(repo)).isEqualTo(pid);
  }

  @Test
  void killedDaemon_leavesAStaleSocket_whichTheNextStartReplaces() throws Exception {
    RepoPaths repo = repo();
    long pid = pingPid(repo);
    ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
    daemon.destroyForcibly(); // kill -9: no cleanup at all
    daemon.onExit().get(30, TimeUnit.SECONDS);
    assertThat(DaemonLock.isSocket(repo.socketPath())).isTrue();
    assertThatThrownBy(() -> DaemonClient.connect(repo.socketPath())).isInstanceOf(DaemonUnavailableException.class);

    long next = pingPid(repo);
    assertThat(next).isNotEqualTo(pid);
    assertThat(log(repo)).contains("removed stale socket " + repo.socketPath());
  }

  @Test
  void idleDaemon_dropsItsCacheAndShutsItselfDown_removingSocketAndLock() throws Exception {
    RepoPaths repo = repo(root, new DaemonSettings(true, 0.01, true, 0.1, 4, null)); // 0.6 s TTL
    long pid = pingPid(repo);
    ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
    daemon.onExit().get(60, TimeUnit.SECONDS);
    assertThat(Files.exists(repo.socketPath(), LinkOption.NOFOLLOW_LINKS)).isFalse();
    DaemonLock.tryAcquire(repo).orElseThrow().close();
    assertThat(log(repo)).contains("daemon stopped: idle for").contains("auto_shutdown_on_idle");
  }

  @Test
  void sigterm_stopsGracefully() throws Exception {
    RepoPaths repo = repo();
    long pid = pingPid(repo);
    ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
    daemon.destroy(); // SIGTERM
    daemon.onExit().get(30, TimeUnit.SECONDS);
    assertThat(Files.exists(repo.socketPath(), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(log(repo)).contains("daemon stopped: signal (SIGTERM or SIGINT)");
  }

  @Test
  void oversizedMalformedAndSilentConnections_doNotHurtTheDaemon() throws Exception {
    RepoPaths repo = repo();
    long pid = pingPid(repo);
    try (LineSocket silent = new LineSocket(repo.socketPath());
         LineSocket big = new LineSocket(repo.socketPath());
         LineSocket bad = new LineSocket(repo.socketPath())) {
      silent.send("{\"jsonrpc\":");
      byte[] line = new byte[JsonLines.MAX_REQUEST_BYTES + 2];
      Arrays.fill(line, (byte) 'x');
      line[line.length - 1] = '\n';
      big.send(line);
      assertThat(big.read().path("error").path("message").asText())
          .isEqualTo("request too large (1048577 bytes > 1048576)");
      bad.send("not json\n");
      assertThat(bad.read().path("error").path("code").asInt()).isEqualTo(-32700);
      assertThat(pingPid(repo)).isEqualTo(pid);
      JsonNode status = DaemonControl.statusJson(repo).orElseThrow();
      assertThat(status.path("errors").asInt()).isEqualTo(2);
    }
  }

  @Test
  void longRepositoryPath_getsItsSocketInTheShortFallbackDirectory() throws Exception {
    Path deep = root;
    while (deep.resolve(".code-indexer/daemon.sock").toString().getBytes(StandardCharsets.UTF_8).length <= 103) {
      deep = deep.resolve("quite-a-long-directory-name");
    }
    RepoPaths repo = repo(deep, DaemonSettings.DEFAULTS);
    Path socket = repo.socketPath();
    assertThat(socket.startsWith(deep)).isFalse();
    long pid = pingPid(repo);
    try (DaemonClient c = connect(repo)) {
      assertThat(c.hello().socketPath()).isEqualTo(socket.toString());
    }
    assertThat(DaemonControl.stop(repo, Duration.ofSeconds(30))).isEqualTo(DaemonControl.StopResult.STOPPED);
    ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
    assertThat(Files.exists(socket, LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void daemonThatCannotStart_isReportedWithTheEndOfItsLog() throws Exception {
    RepoPaths repo = repo();
    // A directory where the daemon opens its lock file. (A regular file at the socket path no longer
    // gets this far: the client refuses it before starting anything, see HostileTrustIT.)
    Files.createDirectory(repo.lockFile());
    assertThatThrownBy(() -> pingPid(repo))
        .isInstanceOf(DaemonUnavailableException.class)
        .hasMessageContaining("the daemon exited with status 1 while starting")
        .hasMessageContaining("cannot start: " + repo.lockFile());
    Files.delete(repo.lockFile());
  }

  @Test
  void daemonOfAnotherVersion_isShutDownAndReplaced() throws Exception {
    RepoPaths repo = repo();
    Process old = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), OldVersionDaemonMain.class.getName(), repo.root().toString())
        .redirectErrorStream(true).start();
    try {
      assertThat(new String(old.getInputStream().readNBytes("old daemon ready".length()), StandardCharsets.UTF_8))
          .isEqualTo("old daemon ready");
      try (DaemonClient c = connect(repo)) {
        var hello = c.hello();
        assertThat(hello.matchesCurrentVersion()).isTrue();
        assertThat(hello.pid()).isNotEqualTo(old.pid());
      }
      assertThat(old.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      old.destroyForcibly();
    }
  }

  @Test
  void shutdownRequest_stopsTheProcess() throws Exception {
    RepoPaths repo = repo();
    long pid = pingPid(repo);
    assertThat(DaemonControl.stop(repo, Duration.ofSeconds(30))).isEqualTo(DaemonControl.StopResult.STOPPED);
    ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
    OptionalLong holder = DaemonLock.holderPid(repo);
    assertThat(holder).hasValue(pid); // the pid stays in the lock file, but the lock is free:
    DaemonLock.tryAcquire(repo).orElseThrow().close();
    await().until(() -> log(repo).contains("daemon stopped: shutdown requested by a client"));
  }
}
