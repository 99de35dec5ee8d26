package dev.cidx.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cidx.config.DaemonSettings;
import dev.cidx.config.RepoPaths;
import dev.cidx.daemon.DaemonAlreadyRunningException;
import dev.cidx.daemon.DaemonServer;
import dev.cidx.protocol.ErrorCode;
import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.Messages.HelloResult;
import dev.cidx.protocol.Messages.OutputParams;
import dev.cidx.protocol.Messages.RunParams;
import dev.cidx.protocol.Methods;
import dev.cidx.protocol.Version;
import dev.cidx.testing.FakeCacheLoader;
import dev.cidx.testing.FakeDaemon;
import dev.cidx.testing.FakeProcess;
import dev.cidx.testing.TestRepo;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonStarterTest {
  @TempDir Path root;
  RepoPaths repo;
  final List<DaemonServer> servers = new CopyOnWriteArrayList<>();
  final AtomicInteger spawns = new AtomicInteger();

  @BeforeEach
  void setUp() throws Exception {
    repo = TestRepo.create(root);
  }

  @AfterEach
  void tearDown() {
    servers.forEach(s -> s.stop("test over"));
  }

  /** Spawns an in-process daemon on its own thread, as a process would start: a little later. */
  private DaemonStarter.Spawner inProcessDaemon() {
    return () -> {
      spawns.incrementAndGet();
      DaemonServer server = DaemonServer.builder(repo).cacheLoader(new FakeCacheLoader())
          .commandRunner(inv -> {
            inv.out().println("ran " + String.join(" ", inv.argv()));
            return 0;
          }).build();
      servers.add(server);
      CountDownLatch exited = new CountDownLatch(1);
      Thread t = new Thread(() -> {
        try {
          server.start();
          server.awaitStopped();
        } catch (DaemonAlreadyRunningException e) {
          // exits with status 0, like DaemonMain
        } catch (Exception e) {
          throw new IllegalStateException(e);
        } finally {
          exited.countDown();
        }
      });
      t.start();
      return new FakeProcess(() -> exited.getCount() > 0, 0);
    };
  }

  private DaemonStarter starter(DaemonStarter.Spawner spawner) {
    return new DaemonStarter(repo, DaemonSettings.DEFAULTS, List.of("unused"), spawner)
        .startupTimeout(Duration.ofSeconds(20));
  }

  @Test
  void connect_startsADaemonWhenNoneRuns_andUsesTheRunningOneAfterwards() throws Exception {
    try (DaemonClient c = starter(inProcessDaemon()).connect()) {
      assertThat(c.hello().matchesCurrentVersion()).isTrue();
    }
    try (DaemonClient c = starter(inProcessDaemon()).connect()) {
      assertThat(c.call(Methods.PING, null).path("pong").asBoolean()).isTrue();
    }
    assertThat(spawns.get()).isEqualTo(1);
  }

  @Test
  void sixteenSimultaneousClients_spawnExactlyOneDaemon() throws Exception {
    int clients = 16;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<Long>> pids = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        Callable<Long> task = () -> {
          go.await();
          try (DaemonClient c = starter(inProcessDaemon()).connect()) {
            return c.call(Methods.PING, null).path("pid").asLong();
          }
        };
        pids.add(pool.submit(task));
      }
      go.countDown();
      for (Future<Long> pid : pids) {
        assertThat(pid.get()).isEqualTo(ProcessHandle.current().pid());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(spawns.get()).isEqualTo(1);
  }

  @Test
  void versionMismatch_shutsTheOldDaemonDown_startsANewOne_andRetriesOnce() throws Exception {
    List<String> oldCalls = new CopyOnWriteArrayList<>();
    FakeDaemon[] old = new FakeDaemon[1];
    old[0] = new FakeDaemon(repo.socketPath(), request -> {
      String method = request.path("method").asText();
      oldCalls.add(method);
      if (method.equals(Methods.HELLO)) {
        return FakeDaemon.Reply.of(FakeDaemon.result(request,
            new HelloResult("0.0.1-old", Version.PROTOCOL, 4242, repo.root().toString(), repo.socketPath().toString())));
      }
      if (method.equals(Methods.STATUS)) {
        return FakeDaemon.Reply.of(FakeDaemon.result(request, java.util.Map.of("running", true, "pid", 4242)));
      }
      if (method.equals(Methods.SHUTDOWN)) {
        try {
          old[0].close(); // stops accepting and removes its socket, as the old daemon would
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
        return new FakeDaemon.Reply(List.of(FakeDaemon.result(request, java.util.Map.of("stopping", true))), true);
      }
      return FakeDaemon.Reply.silence();
    });
    try (DaemonClient c = starter(inProcessDaemon()).connect()) {
      HelloResult hello = c.hello();
      assertThat(hello.cidxVersion()).isEqualTo(Version.CIDX);
      assertThat(hello.pid()).isEqualTo(ProcessHandle.current().pid());
    }
    assertThat(oldCalls).containsExactly(Methods.HELLO, Methods.STATUS, Methods.SHUTDOWN);
    assertThat(spawns.get()).isEqualTo(1);
  }

  /** A daemon of an older version whose status is {@code status}; shutdown is recorded, and refused when asked to. */
  private FakeDaemon oldDaemon(Map<String, Object> status, boolean refusesShutdown, List<JsonNode> shutdowns)
      throws Exception {
    FakeDaemon[] old = new FakeDaemon[1];
    old[0] = new FakeDaemon(repo.socketPath(), request -> {
      switch (request.path("method").asText()) {
        case Methods.HELLO:
          return FakeDaemon.Reply.of(FakeDaemon.result(request,
              new HelloResult("0.0.1-old", Version.PROTOCOL, 4242, repo.root().toString(), repo.socketPath().toString())));
        case Methods.STATUS:
          return FakeDaemon.Reply.of(FakeDaemon.result(request, status));
        case Methods.SHUTDOWN:
          shutdowns.add(request.path("params"));
          if (refusesShutdown) {
            return FakeDaemon.Reply.of(JsonLines.error(request.get("id"), ErrorCode.WRITING,
                "the daemon is indexing since 09:41:07, 0/0 chunks embedded; it keeps running"));
          }
          try {
            old[0].close();
          } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
          }
          return new FakeDaemon.Reply(List.of(FakeDaemon.result(request, Map.of("stopping", true))), true);
        default:
          return FakeDaemon.Reply.silence();
      }
    });
    return old[0];
  }

  @Test
  void oldDaemonRunningAnIndex_isNeverShutDown_andConnectSaysItIsLeftToFinish() throws Exception {
    List<JsonNode> shutdowns = new CopyOnWriteArrayList<>();
    Map<String, Object> indexing = Map.of("phase", "embedding", "started_at", "2026-01-02T08:41:07Z",
        "chunks_embedded", 120, "chunks_to_embed", 400);
    try (FakeDaemon old = oldDaemon(Map.of("running", true, "indexing", indexing), false, shutdowns)) {
      assertThatThrownBy(() -> starter(inProcessDaemon()).connect())
          .isInstanceOfSatisfying(DaemonWritingException.class, e -> {
            assertThat(e.indexing()).isTrue();
            assertThat(e.pid()).isEqualTo(4242);
            assertThat(e.getMessage()).matches("the daemon of cidx 0\\.0\\.1-old \\(pid 4242\\) is indexing since "
                + "\\d\\d:\\d\\d:\\d\\d, 120/400 chunks embedded; it is left to finish");
          });
      assertThat(shutdowns).isEmpty();
      assertThat(old.methods).containsExactly(Methods.HELLO, Methods.STATUS);
    }
    assertThat(spawns.get()).isZero();
  }

  @Test
  void oldDaemonWatching_isNeverShutDown_andTheCallerIsToldItIsLeftRunning() throws Exception {
    List<JsonNode> shutdowns = new CopyOnWriteArrayList<>();
    Map<String, Object> watch = Map.of("active", true, "pending_paths", 0, "updating", false);
    try (FakeDaemon old = oldDaemon(Map.of("running", true, "watch", watch), false, shutdowns)) {
      assertThatThrownBy(() -> starter(inProcessDaemon()).connect())
          .isInstanceOfSatisfying(DaemonWritingException.class, e -> {
            assertThat(e.indexing()).isFalse();
            assertThat(e.getMessage())
                .isEqualTo("the daemon of cidx 0.0.1-old (pid 4242) is watching this repository; it is left running");
          });
      assertThat(shutdowns).isEmpty();
    }
    assertThat(spawns.get()).isZero();
  }

  @Test
  void shutdownAsksUnlessWriting_andARefusalLeavesTheDaemonRunning() throws Exception {
    // The status said idle, but a run began before the shutdown arrived: the daemon refuses it.
    List<JsonNode> shutdowns = new CopyOnWriteArrayList<>();
    try (FakeDaemon old = oldDaemon(Map.of("running", true), true, shutdowns)) {
      assertThatThrownBy(() -> starter(inProcessDaemon()).connect())
          .isInstanceOfSatisfying(DaemonWritingException.class, e -> assertThat(e.getMessage()).isEqualTo(
              "the daemon of cidx 0.0.1-old (pid 4242): the daemon is indexing since 09:41:07, 0/0 chunks embedded; "
                  + "it keeps running"));
      assertThat(shutdowns).hasSize(1);
      assertThat(shutdowns.get(0).path("unless_writing").asBoolean()).isTrue();
    }
    assertThat(spawns.get()).isZero();
  }

  @Test
  void oldDaemonWhoseStatusThisVersionCannotRead_isAskedToStopUnlessWriting_andReplaced() throws Exception {
    // Another version may shape a field differently; an unreadable status shows nothing, and the
    // shutdown's unless_writing is the check left.
    List<JsonNode> shutdowns = new CopyOnWriteArrayList<>();
    try (FakeDaemon old = oldDaemon(Map.of("running", true, "pid", "four thousand", "watch", "active"), false,
        shutdowns)) {
      try (DaemonClient c = starter(inProcessDaemon()).connect()) {
        assertThat(c.hello().cidxVersion()).isEqualTo(Version.CIDX);
      }
      assertThat(shutdowns).hasSize(1);
      assertThat(shutdowns.get(0).path("unless_writing").asBoolean()).isTrue();
    }
    assertThat(spawns.get()).isEqualTo(1);
  }

  @Test
  void newDaemonOfTheWrongVersionToo_isReported_notRetriedForever() throws Exception {
    DaemonStarter.Spawner wrongVersion = () -> {
      spawns.incrementAndGet();
      FakeDaemon fake = new FakeDaemon(repo.socketPath(), request -> request.path("method").asText().equals(Methods.HELLO)
          ? FakeDaemon.Reply.of(FakeDaemon.result(request, new HelloResult("9.9.9", 99, 1, "", "")))
          : FakeDaemon.Reply.of(FakeDaemon.result(request, java.util.Map.of("pong", true))));
      return new FakeProcess(() -> Files.exists(repo.socketPath()), 0);
    };
    assertThatThrownBy(() -> starter(wrongVersion).connect())
        .isInstanceOf(DaemonUnavailableException.class)
        .hasMessage("the daemon started for " + repo.root() + " runs cidx 9.9.9 (protocol 99), this is "
            + Version.CIDX + " (protocol " + Version.PROTOCOL + ")");
    assertThat(spawns.get()).isEqualTo(1);
    Files.deleteIfExists(repo.socketPath());
  }

  @Test
  void daemonDyingWhileStarting_isReportedWithTheEndOfItsLog() throws Exception {
    DaemonStarter.Spawner crashing = () -> {
      spawns.incrementAndGet();
      StringBuilder log = new StringBuilder();
      for (int i = 1; i <= 30; i++) {
        log.append("line ").append(i).append('\n');
      }
      log.append("java.lang.IllegalStateException: cannot bind\n");
      Files.writeString(repo.logFile(), log);
      return new FakeProcess(() -> false, 1);
    };
    assertThatThrownBy(() -> starter(crashing).connect())
        .isInstanceOf(DaemonUnavailableException.class)
        .hasMessageStartingWith("the daemon exited with status 1 while starting; end of " + repo.logFile() + ":\n")
        .hasMessageContaining("  line 12\n")
        .hasMessageNotContaining("line 11\n")
        .hasMessageEndingWith("  java.lang.IllegalStateException: cannot bind");
  }

  @Test
  void daemonThatNeverAnswers_timesOut() {
    DaemonStarter.Spawner hanging = () -> {
      spawns.incrementAndGet();
      return new FakeProcess(() -> true, 0);
    };
    DaemonStarter s = new DaemonStarter(repo, new DaemonSettings(true, 10.0, true, 60.0, 4, List.of(10, 20)),
        List.of("unused"), hanging).startupTimeout(Duration.ofMillis(300));
    assertThatThrownBy(s::connect)
        .isInstanceOf(DaemonUnavailableException.class)
        .hasMessageStartingWith("the daemon did not answer within 0.3 s of starting");
  }

  private RunParams runParams(String... argv) {
    return new RunParams(List.of(argv), root.toString(), null, null);
  }

  @Test
  void run_onARunningDaemonOfThisVersion_isOneRequest() throws Exception {
    FakeDaemon daemon = new FakeDaemon(repo.socketPath(), request -> FakeDaemon.Reply.of(
        JsonLines.notification(Methods.OUTPUT, new OutputParams(request.get("id"), OutputParams.STDOUT, "hit\n")),
        FakeDaemon.result(request, Map.of("exit_code", 0))));
    try (daemon) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(starter(inProcessDaemon()).run(runParams("query", "x"), out, OutputStream.nullOutputStream()))
          .isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hit\n");
    }
    assertThat(daemon.methods).containsExactly(Methods.RUN);
    assertThat(spawns.get()).isZero();
  }

  @Test
  void run_withoutADaemon_startsOne_andRunsThere() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(starter(inProcessDaemon()).run(runParams("query", "x"), out, OutputStream.nullOutputStream())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("ran query x\n");
    assertThat(spawns.get()).isEqualTo(1);
  }

  @Test
  void run_onADaemonOfAnotherVersion_replacesIt_andRunsOnTheNewOne() throws Exception {
    FakeDaemon[] old = new FakeDaemon[1];
    old[0] = new FakeDaemon(repo.socketPath(), request -> {
      switch (request.path("method").asText()) {
        case Methods.RUN:
          return FakeDaemon.Reply.of(JsonLines.error(request.get("id"), ErrorCode.VERSION_MISMATCH, "version mismatch"));
        case Methods.HELLO:
          return FakeDaemon.Reply.of(FakeDaemon.result(request,
              new HelloResult("0.0.1-old", Version.PROTOCOL, 4242, repo.root().toString(), repo.socketPath().toString())));
        case Methods.STATUS:
          return FakeDaemon.Reply.of(FakeDaemon.result(request, Map.of("running", true, "pid", 4242)));
        case Methods.SHUTDOWN:
          try {
            old[0].close();
          } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
          }
          return new FakeDaemon.Reply(List.of(FakeDaemon.result(request, Map.of("stopping", true))), true);
        default:
          return FakeDaemon.Reply.silence();
      }
    });
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(starter(inProcessDaemon()).run(runParams("query", "y"), out, OutputStream.nullOutputStream())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("ran query y\n");
    assertThat(old[0].methods).containsExactly(Methods.RUN, Methods.HELLO, Methods.STATUS, Methods.SHUTDOWN);
    assertThat(spawns.get()).isEqualTo(1);
  }

  @Test
  void run_fromAClientOfAnotherVersion_isRefusedByTheDaemon_beforeRunningAnything() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    DaemonServer server = DaemonServer.builder(repo).commandRunner(inv -> {
      ran.add(String.join(" ", inv.argv()));
      return 0;
    }).build();
    servers.add(server);
    server.start();
    try (DaemonClient c = DaemonClient.connect(repo.socketPath())) {
      assertThatThrownBy(() -> c.run(new RunParams(List.of("query", "x"), "/", null, null, "0.0.1", 1),
          OutputStream.nullOutputStream(), OutputStream.nullOutputStream()))
          .isInstanceOfSatisfying(DaemonRpcException.class, e -> {
            assertThat(e.errorCode()).contains(ErrorCode.VERSION_MISMATCH);
            assertThat(e.getMessage()).isEqualTo("version mismatch: the client is cidx 0.0.1 (protocol 1), this daemon "
                + Version.CIDX + " (protocol " + Version.PROTOCOL + "); replace the daemon");
          });
    }
    assertThat(ran).isEmpty();
  }

  @Test
  void awaitSocketGone_acceptsADaemonThatExitedButCouldNotRemoveItsSocket() throws Exception {
    Path socket = root.resolve("left-behind.sock"); // as in a directory that turned read-only
    Files.writeString(socket, "");
    Process daemon = new ProcessBuilder("sleep", "60").start();
    try {
      assertThat(DaemonStarter.awaitSocketGone(socket, daemon.pid(), Duration.ofMillis(200)))
          .as("still running").isFalse();
    } finally {
      daemon.destroyForcibly().waitFor();
    }
    assertThat(DaemonStarter.awaitSocketGone(socket, daemon.pid(), Duration.ofSeconds(5))).isTrue();
    assertThat(DaemonStarter.awaitSocketGone(socket, ProcessHandle.current().pid(), Duration.ofMillis(200)))
        .as("a daemon in this JVM is only stopped once its socket is gone").isFalse();
  }
}
