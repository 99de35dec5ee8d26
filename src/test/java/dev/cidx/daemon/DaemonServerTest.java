package dev.cidx.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.client.DaemonClient;
import dev.cidx.client.DaemonRpcException;
import dev.cidx.client.DaemonUnavailableException;
import dev.cidx.config.CidxConfig;
import dev.cidx.config.DaemonSettings;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.ErrorCode;
import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.Messages.RunParams;
import dev.cidx.protocol.Messages.TerminalInfo;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.protocol.Messages.WatchParams;
import dev.cidx.protocol.Methods;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.Version;
import dev.cidx.search.SearchException;
import dev.cidx.testing.FakeCacheLoader;
import dev.cidx.testing.LineSocket;
import dev.cidx.testing.MutableClock;
import dev.cidx.testing.TestRepo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonServerTest {
  @TempDir Path root;
  RepoPaths repo;
  FakeCacheLoader loader = new FakeCacheLoader();
  MutableClock clock = new MutableClock();
  DaemonServer server;
  CommandRunner runner = inv -> {
    inv.out().println("hello from " + String.join(" ", inv.argv()));
    inv.err().print("warning: ");
    inv.err().println("careful");
    return 3;
  };

  @BeforeEach
  void setUp() throws Exception {
    repo = TestRepo.create(root, DaemonSettings.DEFAULTS);
  }

  private DaemonServer start() throws Exception {
    server = DaemonServer.builder(repo).cacheLoader(loader).commandRunner(inv -> runner.run(inv)).clock(clock)
        .configPollInterval(Duration.ofMillis(20)).build();
    server.start();
    return server;
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.stop("test over");
    }
  }

  private static String request(int id, String method, String params) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}\n";
  }

  // --- watch

  @Test
  void watch_restartsWithTheNewRules_whenConfigJsonChanges() throws Exception {
    Files.createDirectories(root.resolve("src/a"));
    Files.createDirectories(root.resolve("gen/b"));
    server = DaemonServer.builder(repo).cacheLoader(loader).clock(clock).configPollInterval(Duration.ofMillis(20))
        .indexRunner((config, scope, embedder, progress, cancelled) -> new IndexResult(0, 0, 0, 0, 0, 0, 0, 0, false, false))
        .build();
    server.start();
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      JsonNode started = c.call(Methods.WATCH_START, new WatchParams(0.1), JsonNode.class, Duration.ofSeconds(10));
      assertThat(started.path("watch").path("directories").asInt()).isEqualTo(5); // root, src, src/a, gen, gen/b
      List<String> excludes = new java.util.ArrayList<>(CidxConfig.defaults().excludeDirs());
      excludes.add("gen");
      TestRepo.writeConfig(repo, new CidxConfig(null, null, null, excludes, null, null, DaemonSettings.DEFAULTS, null));
      await().atMost(Duration.ofSeconds(10)).until(() -> c.call(Methods.STATUS, null, JsonNode.class,
          Duration.ofSeconds(10)).path("watch").path("directories").asInt() == 3);
      assertThat(c.call(Methods.STATUS, null, JsonNode.class, Duration.ofSeconds(10)).path("watch").path("active")
          .asBoolean()).isTrue();
    }
  }

  // --- handshake and basic methods

  @Test
  void hello_reportsVersionsPidAndPaths() throws Exception {
    start();
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      var hello = c.hello();
      assertThat(hello.cidxVersion()).isEqualTo(Version.CIDX);
      assertThat(hello.protocolVersion()).isEqualTo(Version.PROTOCOL);
      assertThat(hello.pid()).isEqualTo(ProcessHandle.current().pid());
      assertThat(hello.repoRoot()).isEqualTo(repo.root().toString());
      assertThat(hello.socketPath()).isEqualTo(repo.socketPath().toString());
      assertThat(hello.matchesCurrentVersion()).isTrue();
    }
  }

  @Test
  void socket_isOwnerOnly() throws Exception {
    start();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.socketPath(), LinkOption.NOFOLLOW_LINKS)))
        .isEqualTo("rw-------");
    assertThat(DaemonLock.isSocket(server.socketPath())).isTrue();
  }

  @Test
  void secondServerOnSameRepo_isRefusedWithTheRunningPid() throws Exception {
    start();
    DaemonServer second = DaemonServer.builder(repo).cacheLoader(loader).build();
    assertThatThrownBy(second::start)
        .isInstanceOf(DaemonAlreadyRunningException.class)
        .hasMessage("a cidx daemon is already running for " + repo.root() + " (pid " + ProcessHandle.current().pid() + ")");
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThat(c.call(Methods.PING, null).path("pong").asBoolean()).isTrue();
    }
  }

  // --- framing

  @Test
  void pipelinedRequestsOnOneConnection_areAnsweredInOrder() throws Exception {
    start();
    try (LineSocket s = new LineSocket(server.socketPath())) {
      s.send(request(1, "ping", "{}") + request(2, "status", "{}") + request(3, "hello",
          "{\"client_version\":\"" + Version.CIDX + "\",\"protocol_version\":" + Version.PROTOCOL + "}"));
      assertThat(s.read().path("id").asInt()).isEqualTo(1);
      JsonNode status = s.read();
      assertThat(status.path("id").asInt()).isEqualTo(2);
      assertThat(status.path("result").path("running").asBoolean()).isTrue();
      assertThat(s.read().path("result").path("cidx_version").asText()).isEqualTo(Version.CIDX);
      // and the connection stays usable
      s.send(request(4, "ping", "{}"));
      assertThat(s.read().path("result").path("pong").asBoolean()).isTrue();
    }
  }

  @Test
  void oversizedRequest_isRejectedWithItsSize_andTheConnectionClosed_whileOthersAreServed() throws Exception {
    start();
    try (LineSocket big = new LineSocket(server.socketPath()); LineSocket other = new LineSocket(server.socketPath())) {
      byte[] line = new byte[JsonLines.MAX_REQUEST_BYTES + 5];
      Arrays.fill(line, (byte) 'x');
      line[line.length - 1] = '\n';
      big.send(line);
      JsonNode error = big.read();
      assertThat(error.path("error").path("code").asInt()).isEqualTo(-32001);
      assertThat(error.path("error").path("message").asText())
          .isEqualTo("request too large (1048580 bytes > 1048576)");
      assertThat(big.read()).isNull(); // closed
      other.send(request(1, "ping", "{}"));
      assertThat(other.read().path("result").path("pong").asBoolean()).isTrue();
    }
  }

  @Test
  void requestOfExactlyTheLimit_isAccepted() throws Exception {
    start();
    String head = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"";
    String tail = "\"}}";
    int pad = JsonLines.MAX_REQUEST_BYTES - head.length() - tail.length();
    try (LineSocket s = new LineSocket(server.socketPath())) {
      s.send(head + "y".repeat(pad) + tail + "\n");
      assertThat(s.read().path("result").path("pong").asBoolean()).isTrue();
    }
  }

  @Test
  void malformedJson_isAParseError_andClosesTheConnection() throws Exception {
    start();
    try (LineSocket s = new LineSocket(server.socketPath())) {
      s.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\n");
      JsonNode error = s.read();
      assertThat(error.path("error").path("code").asInt()).isEqualTo(-32700);
      assertThat(error.path("error").path("message").asText()).startsWith("parse error: ");
      assertThat(error.get("id").isNull()).isTrue();
      assertThat(s.read()).isNull();
    }
  }

  @Test
  void unknownMethod_isMethodNotFound_andKeepsTheConnection() throws Exception {
    start();
    try (LineSocket s = new LineSocket(server.socketPath())) {
      s.send(request(7, "frobnicate", "{}"));
      JsonNode error = s.read();
      assertThat(error.path("id").asInt()).isEqualTo(7);
      assertThat(error.path("error").path("code").asInt()).isEqualTo(-32601);
      assertThat(error.path("error").path("message").asText()).isEqualTo("method not found: frobnicate");
      s.send(request(8, "ping", "{}"));
      assertThat(s.read().path("id").asInt()).isEqualTo(8);
    }
  }

  @Test
  void invalidParams_areRejectedWithTheRecordsMessage() throws Exception {
    start();
    try (LineSocket s = new LineSocket(server.socketPath())) {
      s.send(request(1, "query", "{\"query\":\"retry\",\"limit\":0}"));
      JsonNode error = s.read();
      assertThat(error.path("id").asInt()).isEqualTo(1);
      assertThat(error.path("error").path("code").asInt()).isEqualTo(-32602);
      assertThat(error.path("error").path("message").asText())
          .isEqualTo("invalid params for query: limit (0) must be between 1 and 1000");

      s.send(request(2, "query", "{\"query\":\"retry\",\"limit\":\"many\"}"));
      JsonNode typeError = s.read();
      assertThat(typeError.path("error").path("code").asInt()).isEqualTo(-32602);
      assertThat(typeError.path("error").path("message").asText()).startsWith("invalid params for query: limit: ");

      s.send(request(3, "hello", "{}"));
      assertThat(s.read().path("error").path("message").asText())
          .isEqualTo("invalid params for hello: client_version must be given");

      s.send(request(4, "ping", "[1,2]"));
      assertThat(s.read().path("error").path("message").asText())
          .isEqualTo("invalid params for ping: params must be a JSON object");

      s.send(request(5, "ping", "{}"));
      assertThat(s.read().path("result").path("pong").asBoolean()).isTrue();
    }
  }

  @Test
  void notification_getsNoResponse() throws Exception {
    start();
    try (LineSocket s = new LineSocket(server.socketPath())) {
      s.send("{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"params\":{}}\n");
      s.send("{\"jsonrpc\":\"2.0\",\"method\":\"nonsense\"}\n");
      s.send(request(9, "ping", "{}"));
      assertThat(s.read().path("id").asInt()).isEqualTo(9);
    }
  }

  @Test
  void requestFromAHalfClosedClient_isStillAnswered() throws Exception {
    start();
    try (LineSocket s = new LineSocket(server.socketPath())) {
      s.send(request(1, "ping", "{}"));
      s.shutdownOutput();
      assertThat(s.read().path("result").path("pong").asBoolean()).isTrue();
      assertThat(s.read()).isNull();
    }
  }

  @Test
  void silentConnection_andDisconnectMidRequest_costNothing() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    loader.service = r -> {
      if (r.query().equals("slow")) {
        entered.countDown();
        await().until(() -> release.await(10, TimeUnit.SECONDS));
      }
      return new QueryResult(r.query(), r.mode(), 0, "fake", List.of());
    };
    start();
    try (LineSocket silent = new LineSocket(server.socketPath())) {
      silent.send("{\"jsonrpc\":\"2.0\","); // and then nothing
      LineSocket leaving = new LineSocket(server.socketPath());
      leaving.send(request(1, "query", "{\"query\":\"slow\"}"));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      leaving.close(); // gone before the answer
      try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
        assertThat(c.call(Methods.QUERY, QueryRequest.builder("fast").build()).path("query").asText()).isEqualTo("fast");
      }
      release.countDown();
      await().until(() -> server.state().snapshot().inFlight() == 0);
      try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
        assertThat(c.call(Methods.PING, null).path("pong").asBoolean()).isTrue();
      }
    }
  }

  @Test
  void silentConnection_isClosedAfterTheIdleTimeout() throws Exception {
    server = DaemonServer.builder(repo).cacheLoader(loader).connectionIdleTimeout(Duration.ofMillis(200)).build();
    server.start();
    try (LineSocket silent = new LineSocket(server.socketPath())) {
      assertThat(silent.read(Duration.ofSeconds(10))).isNull();
    }
    await().until(() -> server.openConnections() == 0);
  }

  @Test
  void atTheConnectionCap_theIdlestConnectionMakesRoom() throws Exception {
    repo = TestRepo.create(root, new DaemonSettings(true, 10.0, true, 60.0, 4, null, null, 2));
    start();
    try (LineSocket oldest = new LineSocket(server.socketPath());
        LineSocket trickling = new LineSocket(server.socketPath())) {
      trickling.send("{\"jsonrpc\":"); // bytes without a newline are no request: it stays as idle as it was
      await().until(() -> server.openConnections() == 2);
      try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
        assertThat(c.call(Methods.PING, null).path("pong").asBoolean()).isTrue();
      }
      assertThat(oldest.read(Duration.ofSeconds(10))).isNull(); // closed for the newcomer
    }
  }

  @Test
  void atTheConnectionCap_withEveryConnectionBusy_aNewcomerIsToldWhy() throws Exception {
    repo = TestRepo.create(root, new DaemonSettings(true, 10.0, true, 60.0, 4, null, null, 2));
    CountDownLatch inside = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    loader.service = r -> {
      inside.countDown();
      await().until(() -> release.await(10, TimeUnit.SECONDS));
      return new QueryResult(r.query(), r.mode(), 0, "fake", List.of());
    };
    start();
    try (LineSocket a = new LineSocket(server.socketPath()); LineSocket b = new LineSocket(server.socketPath())) {
      a.send(request(1, "query", "{\"query\":\"slow\"}"));
      b.send(request(1, "query", "{\"query\":\"slow\"}"));
      assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
      try (LineSocket refused = new LineSocket(server.socketPath())) {
        JsonNode error = refused.read(Duration.ofSeconds(10)).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(ErrorCode.TOO_MANY_CONNECTIONS.code());
        assertThat(error.path("message").asText()).isEqualTo(
            "the daemon is serving its maximum of 2 connections, all busy; retry later or raise daemon.max_connections");
        assertThat(refused.read(Duration.ofSeconds(10))).isNull();
      } finally {
        release.countDown();
      }
      assertThat(a.read(Duration.ofSeconds(10)).path("result").path("query").asText()).isEqualTo("slow");
    }
  }

  @Test
  void everyQuery_getsTheConfiguredBudget() throws Exception {
    repo = TestRepo.create(root, new DaemonSettings(true, 10.0, true, 60.0, 4, null, 2.5, null));
    List<Duration> budgets = new java.util.concurrent.CopyOnWriteArrayList<>();
    loader.service = new dev.cidx.search.QueryService() {
      @Override
      public QueryResult query(QueryRequest r) {
        throw new AssertionError("the daemon must pass a budget");
      }

      @Override
      public QueryResult query(QueryRequest r, Duration budget) throws dev.cidx.search.SearchException {
        budgets.add(budget);
        throw new dev.cidx.search.SearchException(dev.cidx.search.SearchException.Reason.TIMEOUT, "took too long");
      }
    };
    start();
    try (LineSocket s = new LineSocket(server.socketPath())) {
      s.send(request(1, "query", "{\"query\":\"x\"}"));
      JsonNode error = s.read().path("error");
      assertThat(error.path("code").asInt()).isEqualTo(ErrorCode.QUERY_TIMEOUT.code());
      assertThat(error.path("message").asText()).isEqualTo("took too long");
    }
    assertThat(budgets).containsExactly(Duration.ofMillis(2500));
  }

  // --- queries and the cache

  @Test
  void queries_runInParallel() throws Exception {
    CountDownLatch bothInside = new CountDownLatch(2);
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger maxConcurrent = new AtomicInteger();
    loader.service = r -> {
      maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
      bothInside.countDown();
      try {
        // Returns only once both queries are inside: would time out if queries were serialized.
        if (!bothInside.await(10, TimeUnit.SECONDS)) {
          throw new SearchException(SearchException.Reason.INTERNAL, "queries were serialized");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      concurrent.decrementAndGet();
      return new QueryResult(r.query(), r.mode(), 0, "fake", List.of());
    };
    start();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<JsonNode>> results = pool.invokeAll(List.of(
          () -> query("one"), () -> query("two")));
      for (Future<JsonNode> f : results) {
        assertThat(f.get().path("via").asText()).isEqualTo("daemon");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(maxConcurrent.get()).isEqualTo(2);
    assertThat(loader.indexOpens.get()).isEqualTo(1);
    assertThat(loader.modelLoads.get()).isEqualTo(1);
  }

  private JsonNode query(String text) throws Exception {
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      return c.call(Methods.QUERY, QueryRequest.builder(text).build());
    }
  }

  @Test
  void typedQuery_returnsTheResultMarkedAsFromTheDaemon() throws Exception {
    start();
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      QueryResult r = c.query(QueryRequest.builder("retry").limit(3).build());
      assertThat(r.query()).isEqualTo("retry");
      assertThat(r.via()).isEqualTo(QueryResult.VIA_DAEMON);
    }
  }

  @Test
  void preloadCache_loadsModelAndIndexBeforeAnyQuery_andTheFirstQueryLoadsNothingMore() throws Exception {
    server = DaemonServer.builder(repo).cacheLoader(loader).commandRunner(inv -> runner.run(inv)).clock(clock)
        .configPollInterval(Duration.ofMillis(20)).preloadCache(true).build();
    server.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> status().path("cache").path("loaded").asBoolean());
    query("a");
    var cache = status().path("cache");
    assertThat(cache.path("index_loads").asInt()).isEqualTo(1);
    assertThat(cache.path("model_loads").asInt()).isEqualTo(1);
  }

  @Test
  void withoutPreload_nothingIsLoadedUntilTheFirstQuery() throws Exception {
    start();
    assertThat(status().path("cache").path("loaded").asBoolean()).isFalse();
    assertThat(status().path("cache").path("index_loads").asInt()).isZero();
  }

  @Test
  void warmQueries_doNoLoad_andANewIndexCommitReopensOnlyTheSnapshot() throws Exception {
    start();
    query("a");
    query("b");
    query("c");
    var cache = status().path("cache");
    assertThat(cache.path("index_loads").asInt()).isEqualTo(1);
    assertThat(cache.path("model_loads").asInt()).isEqualTo(1);
    assertThat(cache.path("loaded").asBoolean()).isTrue();
    assertThat(cache.path("chunks").asLong()).isEqualTo(42);
    assertThat(cache.path("model").asText()).isEqualTo("bge-small-en-v1.5");

    loader.current.set(false); // `cidx index` committed
    query("d");
    cache = status().path("cache");
    assertThat(cache.path("index_loads").asInt()).isEqualTo(2);
    assertThat(cache.path("model_loads").asInt()).isEqualTo(1);
    assertThat(loader.indexCloses.get()).isEqualTo(1);
    assertThat(loader.modelCloses.get()).isZero();
    assertThat(status().path("queries_served").asInt()).isEqualTo(4);
    assertThat(status().path("query_p50_ms").isNumber()).isTrue();
  }

  @Test
  void clearCache_closesModelAndIndex_andTheNextQueryLoadsAgain() throws Exception {
    start();
    query("a");
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThat(c.call(Methods.CLEAR_CACHE, null).path("cleared").asBoolean()).isTrue();
      assertThat(c.call(Methods.CLEAR_CACHE, null).path("cleared").asBoolean()).isFalse();
    }
    assertThat(loader.modelCloses.get()).isEqualTo(1);
    assertThat(loader.indexCloses.get()).isEqualTo(1);
    query("b");
    assertThat(loader.indexOpens.get()).isEqualTo(2);
  }

  @Test
  void searchFailures_mapToTheirErrorCodes_andTheCacheSurvives() throws Exception {
    start();
    loader.service = FakeCacheLoader.failing(
        new SearchException(SearchException.Reason.BAD_QUERY, "invalid regex '(': unclosed group"));
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThatThrownBy(() -> c.call(Methods.QUERY, QueryRequest.builder("x").build()))
          .isInstanceOfSatisfying(DaemonRpcException.class, e -> {
            assertThat(e.errorCode()).contains(ErrorCode.BAD_QUERY);
            assertThat(e.getMessage()).isEqualTo("invalid regex '(': unclosed group");
          });
      assertThat(c.call(Methods.STATUS, null).path("errors").asInt()).isEqualTo(1);
    }
    assertThat(loader.indexOpens.get()).isEqualTo(1);
  }

  @Test
  void missingIndex_isNoIndex() throws Exception {
    loader.openFailure = new dev.cidx.index.IndexMissingException("no index in " + repo.indexDir());
    start();
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThatThrownBy(() -> c.call(Methods.QUERY, QueryRequest.builder("x").build()))
          .isInstanceOfSatisfying(DaemonRpcException.class, e -> {
            assertThat(e.code()).isEqualTo(-32010);
            assertThat(e.getMessage()).isEqualTo("no index in " + repo.indexDir() + ": run `cidx index`");
          });
    }
    assertThat(loader.modelCloses.get()).isEqualTo(loader.modelLoads.get());
  }

  @Test
  void missingIndex_whoseMessageSaysWhatToRun_isNotToldTwice() throws Exception {
    loader.openFailure = new dev.cidx.index.IndexMissingException("no index here: run `cidx init` then `cidx index`");
    start();
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThatThrownBy(() -> c.call(Methods.QUERY, QueryRequest.builder("x").build()))
          .isInstanceOfSatisfying(DaemonRpcException.class, e ->
              assertThat(e.getMessage()).isEqualTo("no index here: run `cidx init` then `cidx index`"));
    }
  }

  private JsonNode status() throws Exception {
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      return c.call(Methods.STATUS, null);
    }
  }

  // --- run

  @Test
  void run_streamsOutputNotifications_thenTheExitCode() throws Exception {
    start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      int exit = c.run(new RunParams(List.of("query", "x"), root.toString(), TerminalInfo.PLAIN, Map.of()), out, err);
      assertThat(exit).isEqualTo(3);
      // a second command on the same connection
      assertThat(c.run(new RunParams(List.of("status"), root.toString(), null, null), out, err)).isEqualTo(3);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello from query x\nhello from status\n");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("warning: careful\nwarning: careful\n");
  }

  @Test
  void run_queriesGoThroughTheCache_markedAsFromTheDaemon_andCounted() throws Exception {
    runner = inv -> {
      QueryResult r = inv.queries().query(QueryRequest.builder(String.join(" ", inv.argv())).build());
      inv.out().println(r.query() + " via " + r.via());
      return 0;
    };
    start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThat(c.run(new RunParams(List.of("retry"), root.toString(), null, null), out, out)).isZero();
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("retry via daemon\n");
    assertThat(status().path("queries_served").asInt()).isEqualTo(1);
    assertThat(status().path("query_p99_ms").isNumber()).isTrue();
  }

  @Test
  void run_outputNotificationsCarryTheRequestId() throws Exception {
    start();
    try (LineSocket s = new LineSocket(server.socketPath())) {
      s.send(request(5, "run", "{\"argv\":[\"a\"],\"cwd\":\"" + root + "\"}"));
      JsonNode first = s.read();
      assertThat(first.has("id")).isFalse();
      assertThat(first.path("method").asText()).isEqualTo("output");
      assertThat(first.path("params").path("id").asInt()).isEqualTo(5);
      assertThat(first.path("params").path("stream").asText()).isEqualTo("stdout");
      assertThat(first.path("params").path("text").asText()).isEqualTo("hello from a\n");
      JsonNode next;
      do {
        next = s.read();
      } while (!next.has("id"));
      assertThat(next.path("result").path("exit_code").asInt()).isEqualTo(3);
    }
  }

  @Test
  void run_withRelativeCwd_isInvalidParams() throws Exception {
    start();
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThatThrownBy(() -> c.call(Methods.RUN, Map.of("argv", List.of(), "cwd", "relative")))
          .isInstanceOfSatisfying(DaemonRpcException.class, e -> assertThat(e.getMessage())
              .isEqualTo("invalid params for run: cwd (relative) must be an absolute path"));
    }
  }

  @Test
  void run_withCwdOutsideTheRepository_isRefused_beforeTheRunnerRuns() throws Exception {
    runner = inv -> {
      throw new AssertionError("ran in " + inv.cwd());
    };
    start();
    Path outside = Files.createTempDirectory("cidx-outside");
    Files.createSymbolicLink(root.resolve("link-out"), outside);
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      for (Path cwd : List.of(outside, root.resolve("link-out"), root.resolve("sub/.."))) {
        assertThatThrownBy(() -> c.run(new RunParams(List.of("x"), cwd.toString(), null, null), OutputStreamSink.NULL,
            OutputStreamSink.NULL))
            .isInstanceOfSatisfying(DaemonRpcException.class, e -> {
              assertThat(e.code()).isEqualTo(-32602);
              assertThat(e.getMessage()).startsWith("run refused: cwd ");
            });
      }
    } finally {
      Files.delete(outside);
    }
  }

  @Test
  void runnerFailure_isAnInternalError_withoutTheStackTrace() throws Exception {
    runner = inv -> {
      throw new IllegalStateException("boom");
    };
    start();
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThatThrownBy(() -> c.run(new RunParams(List.of("x"), root.toString(), null, null), OutputStreamSink.NULL,
          OutputStreamSink.NULL))
          .isInstanceOfSatisfying(DaemonRpcException.class, e -> {
            assertThat(e.code()).isEqualTo(-32603);
            assertThat(e.getMessage()).isEqualTo(
                "internal error in run: java.lang.IllegalStateException: boom (stack trace in daemon.log)");
          });
      assertThat(c.call(Methods.PING, null).path("pong").asBoolean()).isTrue();
    }
  }

  // --- stop

  @Test
  void shutdown_answersThenRemovesSocketAndReleasesLock() throws Exception {
    start();
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThat(c.call(Methods.SHUTDOWN, null).path("stopping").asBoolean()).isTrue();
    }
    assertThat(server.awaitStopped(Duration.ofSeconds(10))).isTrue();
    assertThat(server.stopReason()).isEqualTo("shutdown requested by a client");
    assertThat(Files.exists(server.socketPath(), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(DaemonLock.tryAcquire(repo)).hasValueSatisfying(DaemonLock::close);
    assertThatThrownBy(() -> DaemonClient.connect(server.socketPath())).isInstanceOf(DaemonUnavailableException.class);
  }

  @Test
  void stop_waitsForTheRequestInFlight() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    loader.service = r -> {
      entered.countDown();
      await().until(() -> release.await(10, TimeUnit.SECONDS));
      return new QueryResult(r.query(), r.mode(), 0, "fake", List.of());
    };
    start();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<JsonNode> inFlight = pool.submit(() -> query("slow"));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      server.requestStop("test stop");
      await().until(() -> server.state().state() == DaemonStateCoordinator.State.STOPPING);
      try (LineSocket late = new LineSocket(server.socketPath())) {
        throw new AssertionError("connected after stop began: " + late);
      } catch (java.io.IOException expected) {
        // the listening socket is closed first
      }
      release.countDown();
      assertThat(inFlight.get(10, TimeUnit.SECONDS).path("query").asText()).isEqualTo("slow");
      assertThat(server.awaitStopped(Duration.ofSeconds(10))).isTrue();
      assertThat(loader.indexCloses.get()).isEqualTo(1);
      assertThat(loader.modelCloses.get()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void longRepositoryPath_usesTheShortFallbackSocket() throws Exception {
    Path deep = root;
    while (deep.resolve(".code-indexer/daemon.sock").toString().getBytes(StandardCharsets.UTF_8).length <= 103) {
      deep = deep.resolve("a-rather-long-directory-name");
    }
    repo = TestRepo.create(deep);
    start();
    assertThat(server.socketPath().toString()).doesNotStartWith(deep.toString());
    assertThat(server.socketPath().toString().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(103);
    try (DaemonClient c = DaemonClient.connect(repo.socketPath())) {
      assertThat(c.hello().socketPath()).isEqualTo(server.socketPath().toString());
    }
    server.stop("test");
    assertThat(Files.exists(server.socketPath(), LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  /** Output sinks for tests that expect no output. */
  static final class OutputStreamSink {
    static final java.io.OutputStream NULL = java.io.OutputStream.nullOutputStream();
  }
}
