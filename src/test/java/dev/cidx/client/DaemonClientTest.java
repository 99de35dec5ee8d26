package dev.cidx.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.config.RepoPaths;
import dev.cidx.daemon.DaemonServer;
import dev.cidx.protocol.ErrorCode;
import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.Methods;
import dev.cidx.protocol.StreamingCodec;
import dev.cidx.testing.FakeCacheLoader;
import dev.cidx.testing.FakeDaemon;
import dev.cidx.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonClientTest {
  @TempDir Path root;

  @Test
  void connect_toAMissingSocket_isUnavailable() {
    Path socket = root.resolve("daemon.sock");
    assertThatThrownBy(() -> DaemonClient.connect(socket))
        .isInstanceOf(DaemonUnavailableException.class)
        .hasMessageStartingWith("cannot connect to " + socket + ": ");
  }

  @Test
  void connect_toAStaleSocket_failsAtOnce() throws Exception {
    Path socket = root.resolve("stale.sock");
    try (var dead = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      dead.bind(java.net.UnixDomainSocketAddress.of(socket));
    }
    long start = System.nanoTime();
    assertThatThrownBy(() -> DaemonClient.connect(socket, Duration.ofSeconds(30)))
        .isInstanceOf(DaemonUnavailableException.class)
        .hasMessage("cannot connect to " + socket + ": Connection refused");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void connect_toADaemonThatDoesNotAccept_retriesUntilTheTimeout() throws Exception {
    Path socket = root.resolve("busy.sock");
    List<DaemonClient> queued = new java.util.ArrayList<>();
    try (var busy = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      busy.bind(java.net.UnixDomainSocketAddress.of(socket), 1);
      assertThatThrownBy(() -> {
        for (int i = 0; i < 10; i++) {
          queued.add(DaemonClient.connect(socket, Duration.ofMillis(200)));
        }
      }).isInstanceOf(DaemonUnavailableException.class).hasMessageStartingWith("cannot connect to " + socket);
      assertThat(queued).isNotEmpty(); // the queue took some before it was full
    } finally {
      queued.forEach(DaemonClient::close);
    }
  }

  @Test
  void call_timesOutOnASilentDaemon_andTheConnectionIsThenUnusable() throws Exception {
    Path socket = root.resolve("s.sock");
    try (FakeDaemon fake = new FakeDaemon(socket, r -> FakeDaemon.Reply.silence());
         DaemonClient c = DaemonClient.connect(socket)) {
      assertThatThrownBy(() -> c.call(Methods.PING, null, Duration.ofMillis(100)))
          .isInstanceOf(DaemonUnavailableException.class)
          .hasMessage("no answer from the daemon in time (waiting for the answer to ping)");
      assertThatThrownBy(() -> c.call(Methods.PING, null))
          .hasMessage("the connection to the daemon was lost earlier");
    }
  }

  @Test
  void shuttingDownError_meansUnavailable_otherErrorsAreRpcErrors() throws Exception {
    Path socket = root.resolve("s.sock");
    try (FakeDaemon fake = new FakeDaemon(socket, r -> FakeDaemon.Reply.of(r.path("method").asText().equals("ping")
            ? JsonLines.error(r.get("id"), ErrorCode.SHUTTING_DOWN, "stopping")
            : JsonLines.error(r.get("id"), ErrorCode.NO_INDEX, "no index: run `cidx index`")))) {
      try (DaemonClient c = DaemonClient.connect(socket)) {
        assertThatThrownBy(() -> c.call(Methods.QUERY, Map.of("query", "x")))
            .isInstanceOfSatisfying(DaemonRpcException.class, e -> {
              assertThat(e.errorCode()).contains(ErrorCode.NO_INDEX);
              assertThat(e.getMessage()).isEqualTo("no index: run `cidx index`");
            });
        assertThatThrownBy(() -> c.call(Methods.PING, null))
            .isInstanceOf(DaemonUnavailableException.class)
            .hasMessage("the daemon is shutting down");
      }
    }
  }

  @Test
  void responsesToEarlierRequestsAndUnknownNotifications_areSkipped() throws Exception {
    Path socket = root.resolve("s.sock");
    try (FakeDaemon fake = new FakeDaemon(socket, r -> {
      JsonNode stale = FakeDaemon.result(JsonLines.MAPPER.createObjectNode().put("id", 999), Map.of("pong", true));
      JsonNode news = JsonLines.notification("progress", Map.of("percent", 50));
      return FakeDaemon.Reply.of(stale, news, FakeDaemon.result(r, Map.of("pong", true, "pid", 7)));
    }); DaemonClient c = DaemonClient.connect(socket)) {
      assertThat(c.call(Methods.PING, null).path("pid").asInt()).isEqualTo(7);
    }
  }

  @Test
  void daemonControl_reportsNothingRunning_thenPingsStatusClearsAndStopsARunningDaemon() throws Exception {
    RepoPaths repo = TestRepo.create(root);
    assertThat(DaemonControl.status(repo)).isEmpty();
    assertThat(DaemonControl.ping(repo)).isEmpty();
    assertThat(DaemonControl.stop(repo, Duration.ofSeconds(1))).isEqualTo(DaemonControl.StopResult.NOT_RUNNING);

    DaemonServer server = DaemonServer.builder(repo).cacheLoader(new FakeCacheLoader()).build();
    server.start();
    try {
      assertThat(DaemonControl.ping(repo)).hasValueSatisfying(p -> {
        assertThat(p.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(p.roundTripMs()).isPositive();
      });
      assertThat(DaemonControl.status(repo)).hasValueSatisfying(s -> {
        assertThat(s.running()).isTrue();
        assertThat(s.repoRoot()).isEqualTo(repo.root().toString());
        assertThat(s.cache().loaded()).isFalse();
        assertThat(s.ttlMinutes()).isEqualTo(10.0);
      });
      assertThat(DaemonControl.statusJson(repo)).hasValueSatisfying(j -> assertThat(j.has("heap_used_mb")).isTrue());
      assertThat(DaemonControl.clearCache(repo)).contains(false);
      assertThat(DaemonControl.stop(repo, Duration.ofSeconds(10))).isEqualTo(DaemonControl.StopResult.STOPPED);
      assertThat(Files.exists(repo.socketPath())).isFalse();
    } finally {
      server.stop("test over");
    }
  }

  @Test
  void run_ofADaemonWithoutRunner_isMethodNotFound() throws Exception {
    RepoPaths repo = TestRepo.create(root);
    DaemonServer server = DaemonServer.builder(repo).build();
    server.start();
    try (DaemonClient c = DaemonClient.connect(repo.socketPath())) {
      assertThatThrownBy(() -> c.run(new dev.cidx.protocol.Messages.RunParams(List.of("x"), "/", null, null),
          java.io.OutputStream.nullOutputStream(), java.io.OutputStream.nullOutputStream()))
          .isInstanceOfSatisfying(DaemonRpcException.class, e -> assertThat(e.code()).isEqualTo(-32601));
    } finally {
      server.stop("test over");
    }
  }

  @Test
  void index_handsEachNotificationToTheListenerInOrder_thenReturnsTheResult() throws Exception {
    Path socket = root.resolve("s.sock");
    Map<String, Object> result = new java.util.LinkedHashMap<>();
    result.put("files_scanned", 23);
    result.put("files_indexed", 1);
    result.put("chunks_total", 84);
    result.put("chunks_embedded", 1);
    result.put("committed", true);
    result.put("via", "daemon");
    try (FakeDaemon fake = new FakeDaemon(socket, r -> FakeDaemon.Reply.of(
            JsonLines.notification(Methods.PROGRESS, Map.of("id", 1, "phase", "scanning", "chunks_embedded", 0)),
            JsonLines.notification("something_newer", Map.of()),
            JsonLines.notification(Methods.PROGRESS, Map.of("id", 1, "phase", "done", "chunks_embedded", 1)),
            FakeDaemon.result(r, result)));
         DaemonClient c = DaemonClient.connect(socket)) {
      List<String> heard = new java.util.ArrayList<>();
      var answer = c.index(new dev.cidx.protocol.Messages.IndexParams(true),
          (method, params) -> heard.add(method + " " + StreamingCodec.string(params, "phase")));
      assertThat(heard).containsExactly("progress scanning", "something_newer null", "progress done");
      assertThat(answer).isEqualTo(new dev.cidx.protocol.Messages.IndexResult(23, 1, 0, 0, 84, 1, 0, 0.0, true, false,
          "daemon"));
      assertThat(fake.methods).containsExactly("index");
    }
  }
}
