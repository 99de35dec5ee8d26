package dev.cidx.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cidx.client.DaemonClient;
import dev.cidx.config.CidxConfig;
import dev.cidx.config.DaemonSettings;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.Methods;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.testing.FakeCacheLoader;
import dev.cidx.testing.MutableClock;
import dev.cidx.testing.TestRepo;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eviction, idle shutdown and config reload of a whole server, with a fake clock instead of waiting. */
class DaemonExpiryTest {
  @TempDir Path root;
  FakeCacheLoader loader = new FakeCacheLoader();
  MutableClock clock = new MutableClock();
  DaemonServer server;

  private DaemonServer start(DaemonSettings settings) throws Exception {
    RepoPaths repo = TestRepo.create(root, settings);
    server = DaemonServer.builder(repo).cacheLoader(loader).clock(clock)
        .configPollInterval(Duration.ofMillis(20)).build();
    server.start();
    return server;
  }

  /** A server whose index runner returns at once, and whose notify waits {@code notifyDelay} before its update. */
  private DaemonServer startWithUpdates(Duration notifyDelay, java.util.concurrent.atomic.AtomicInteger updates)
      throws Exception {
    RepoPaths repo = TestRepo.create(root, DaemonSettings.DEFAULTS);
    server = DaemonServer.builder(repo).cacheLoader(loader).clock(clock).configPollInterval(Duration.ofMillis(20))
        .notifyDelay(notifyDelay)
        .indexRunner((config, scope, embedder, progress, cancelled) -> {
          updates.incrementAndGet();
          return new dev.cidx.protocol.Messages.IndexResult(1, 1, 1, 0, 1, 1, 0, 0.1, true, false);
        })
        .build();
    server.start();
    return server;
  }

  private void notifyChanged(String path) throws Exception {
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      c.call(Methods.NOTIFY, new dev.cidx.protocol.Messages.NotifyParams(List.of(path)));
    }
    await().until(() -> server.state().snapshot().inFlight() == 0);
  }

  @Test
  void notify_countsAsActivity_soTheIdleClockStartsAgainFromIt() throws Exception {
    AtomicInteger updates = new AtomicInteger();
    startWithUpdates(Duration.ofMillis(1), updates);
    clock.advance(Duration.ofMinutes(9));
    notifyChanged("A.java");
    await().until(() -> updates.get() == 1 && server.watch().settled());
    clock.advance(Duration.ofMinutes(2));
    server.checkExpiryNow();
    assertThat(server.stopReason()).isNull();
    clock.advance(Duration.ofMinutes(8));
    server.checkExpiryNow();
    assertThat(server.awaitStopped(Duration.ofSeconds(10))).isTrue();
    assertThat(server.stopReason()).isEqualTo("idle for 10m (ttl_minutes 10.0), auto_shutdown_on_idle");
  }

  @Test
  void pathsAcceptedButNotYetIndexed_keepTheDaemonFromExpiring() throws Exception {
    AtomicInteger updates = new AtomicInteger();
    startWithUpdates(Duration.ofHours(1), updates); // the paths stay pending for the whole test
    notifyChanged("A.java");
    clock.advance(Duration.ofMinutes(30));
    server.checkExpiryNow();
    assertThat(server.stopReason()).isNull();
    assertThat(updates.get()).isZero();
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThat(c.call(Methods.STATUS, null).path("watch").path("pending_paths").asInt()).isEqualTo(1);
    }
  }

  @Test
  void shutdownUnlessWriting_isRefusedWhileNotifiedPathsWait_soAReplacingClientLosesNone() throws Exception {
    startWithUpdates(Duration.ofHours(1), new AtomicInteger());
    notifyChanged("A.java");
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> c.call(Methods.SHUTDOWN, java.util.Map.of("unless_writing", true)))
          .isInstanceOfSatisfying(dev.cidx.client.DaemonRpcException.class, e -> {
            assertThat(e.code()).isEqualTo(dev.cidx.protocol.ErrorCode.WRITING.code());
            assertThat(e.getMessage()).isEqualTo("the daemon is indexing changes it was told of; it keeps running");
          });
    }
    assertThat(server.stopReason()).isNull();
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.stop("test over");
    }
  }

  private void query() throws Exception {
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      c.call(Methods.QUERY, QueryRequest.builder("q").build());
    }
    // The server ends the request (and stamps its activity time) just after writing the response.
    await().until(() -> server.state().snapshot().inFlight() == 0);
  }

  @Test
  void idlePastTtl_withAutoShutdown_dropsTheCacheAndStops_removingSocketAndLock() throws Exception {
    start(DaemonSettings.DEFAULTS);
    query();
    clock.advance(Duration.ofMinutes(10));
    server.checkExpiryNow();
    assertThat(server.awaitStopped(Duration.ofSeconds(10))).isTrue();
    assertThat(server.stopReason()).isEqualTo("idle for 10m (ttl_minutes 10.0), auto_shutdown_on_idle");
    assertThat(loader.modelCloses.get()).isEqualTo(1);
    assertThat(loader.indexCloses.get()).isEqualTo(1);
    assertThat(Files.exists(server.socketPath(), LinkOption.NOFOLLOW_LINKS)).isFalse();
    DaemonLock.tryAcquire(server.repo()).orElseThrow().close();
  }

  @Test
  void idlePastTtl_withoutAutoShutdown_dropsTheCache_andKeepsServing() throws Exception {
    start(new DaemonSettings(true, 10.0, false, 60.0, 4, null));
    query();
    clock.advance(Duration.ofMinutes(10).plusSeconds(30));
    server.checkExpiryNow();
    assertThat(loader.modelCloses.get()).isEqualTo(1);
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      var status = c.call(Methods.STATUS, null);
      assertThat(status.path("cache").path("loaded").asBoolean()).isFalse();
      assertThat(status.path("cache").path("evictions").asInt()).isEqualTo(1);
      assertThat(status.path("last_expiry_reason").asText()).isEqualTo("idle for 10m 30s (ttl_minutes 10.0)");
      assertThat(status.path("state").asText()).isEqualTo("idle"); // a status request is not "busy"
      assertThat(status.path("idle_seconds").asDouble()).isEqualTo(630.0);
    }
    query();
    assertThat(loader.indexOpens.get()).isEqualTo(2);
  }

  @Test
  void evictionThread_runsOnItsOwn_atTheConfiguredInterval() throws Exception {
    start(new DaemonSettings(true, 10.0, true, 0.02, 4, null));
    clock.advance(Duration.ofMinutes(10));
    assertThat(server.awaitStopped(Duration.ofSeconds(10))).isTrue();
    assertThat(server.stopReason()).startsWith("idle for 10m");
  }

  @Test
  void deletedSocket_stopsTheDaemon_whichLeavesTheNewFileAlone() throws Exception {
    start(new DaemonSettings(true, 10.0, true, 0.02, 4, null));
    Files.delete(server.socketPath());
    try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      other.bind(UnixDomainSocketAddress.of(server.socketPath()));
      assertThat(server.awaitStopped(Duration.ofSeconds(10))).isTrue();
      assertThat(server.stopReason()).isEqualTo(
          "socket " + server.socketPath() + " was removed or replaced by another process");
      assertThat(DaemonLock.isSocket(server.socketPath())).isTrue();
    } finally {
      Files.deleteIfExists(server.socketPath());
    }
  }

  @Test
  void evictionTask_survivesACheckThatThrows() {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger checks = new AtomicInteger();
    List<String> stops = new CopyOnWriteArrayList<>();
    Expiry flaky = () -> {
      if (checks.incrementAndGet() == 1) {
        throw new IllegalStateException("first check fails");
      }
      return new Expiry.Result(Expiry.Action.STOP, "second check");
    };
    IndexCache cache = new IndexCache(loader, () -> "m", clock);
    EvictionTask task = new EvictionTask(scheduler, () -> Duration.ofMillis(10), flaky, cache, r -> { }, stops::add);
    try {
      task.start();
      await().until(() -> !stops.isEmpty());
      assertThat(stops.get(0)).isEqualTo("second check");
    } finally {
      task.cancel();
      scheduler.shutdownNow();
    }
  }

  @Test
  void configEdit_changesTheTtlWithinAFewPolls_andAnInvalidEditKeepsTheOldSettings() throws Exception {
    start(DaemonSettings.DEFAULTS);
    RepoPaths repo = server.repo();
    TestRepo.writeConfig(repo, CidxConfig.defaults().withDaemon(DaemonSettings.DEFAULTS.withTtlMinutes(0.5)));
    await().until(() -> server.settings().ttlMinutes() == 0.5);

    List<String> warnings = new CopyOnWriteArrayList<>();
    Logger watcherLog = Logger.getLogger(ConfigWatcher.class.getName());
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        warnings.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    watcherLog.addHandler(capture);
    try {
      TestRepo.writeRaw(repo, "{\"daemon\": {\"ttl_minutes\": -1}}");
      await().until(() -> warnings.stream().anyMatch(w -> w.startsWith("config not reloaded")));
      assertThat(warnings).anyMatch(w -> w.contains("daemon.ttl_minutes (-1.0) must be positive"));
      assertThat(server.settings().ttlMinutes()).isEqualTo(0.5);

      TestRepo.writeRaw(repo, "{ not json");
      await().until(() -> warnings.stream().anyMatch(w -> w.contains("is not valid JSON")));
      assertThat(server.settings().ttlMinutes()).isEqualTo(0.5);
    } finally {
      watcherLog.removeHandler(capture);
    }

    // And the reloaded TTL is the one expiry uses.
    clock.advance(Duration.ofSeconds(30));
    server.checkExpiryNow();
    assertThat(server.awaitStopped(Duration.ofSeconds(10))).isTrue();
    assertThat(server.stopReason()).isEqualTo("idle for 30s (ttl_minutes 0.5), auto_shutdown_on_idle");
  }

  @Test
  void configEdit_ofTheModel_dropsTheCache() throws Exception {
    start(DaemonSettings.DEFAULTS);
    query();
    TestRepo.writeConfig(server.repo(), CidxConfig.defaults().withEmbeddingModel("all-minilm-l6-v2"));
    await().until(() -> loader.modelCloses.get() == 1);
    query();
    assertThat(loader.modelLoads.get()).isEqualTo(2);
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThat(c.call(Methods.STATUS, null).path("cache").path("model").asText()).isEqualTo("all-minilm-l6-v2");
    }
  }
}
