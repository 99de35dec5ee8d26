package dev.cidx.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.client.DaemonClient;
import dev.cidx.client.DaemonRpcException;
import dev.cidx.config.CidxConfig;
import dev.cidx.config.DaemonSettings;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedder;
import dev.cidx.index.IndexException;
import dev.cidx.index.IndexProgress;
import dev.cidx.index.IndexScope;
import dev.cidx.protocol.ErrorCode;
import dev.cidx.protocol.Messages.IndexParams;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.protocol.Methods;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.testing.FakeCacheLoader;
import dev.cidx.testing.LineSocket;
import dev.cidx.testing.MutableClock;
import dev.cidx.testing.TestRepo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code index} method on a real server and socket, with an indexer that runs until the test releases it. */
class IndexJobsTest {
  @TempDir Path root;
  RepoPaths repo;
  FakeCacheLoader loader = new FakeCacheLoader();
  MutableClock clock = new MutableClock();
  FakeIndexer indexer = new FakeIndexer();
  DaemonServer server;
  ExecutorService clients = Executors.newCachedThreadPool();

  static final IndexResult DONE = new IndexResult(22, 10, 2, 1, 83, 10, 5, 1.5, true, false);

  /** Reports half-way progress, then waits for {@link #release} or a cancel. */
  static final class FakeIndexer implements IndexJobs.Runner {
    final AtomicInteger runs = new AtomicInteger();
    final AtomicInteger cancels = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    /** Held by a cancelled run before it returns: the window in which it is cancelled but not yet over. */
    volatile CountDownLatch rollback = new CountDownLatch(0);
    /** Held before the run first asks for its model: a config change can land in between. */
    volatile CountDownLatch beforeModel = new CountDownLatch(0);
    volatile boolean useModel;
    volatile IndexException failure;
    /** The model each run's config named: the one its commit would record. */
    final List<String> commitModels = new CopyOnWriteArrayList<>();

    @Override
    public IndexResult run(CidxConfig config, IndexScope scope, Supplier<Embedder> embedder, IndexProgress progress,
        BooleanSupplier cancelled) throws IndexException {
      runs.incrementAndGet();
      commitModels.add(config.embeddingModel());
      if (useModel) {
        try {
          beforeModel.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        embedder.get();
      }
      progress.update(new IndexProgress.Snapshot(IndexProgress.Phase.EMBEDDING, 22, 10, 3, 10, 5, 1.0));
      if (failure != null) {
        throw failure;
      }
      try {
        while (!release.await(10, TimeUnit.MILLISECONDS)) {
          if (cancelled.getAsBoolean()) {
            cancels.incrementAndGet();
            rollback.await();
            return new IndexResult(22, 3, 0, 0, 0, 5, 0, 1.0, false, true);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      progress.update(new IndexProgress.Snapshot(IndexProgress.Phase.DONE, 22, 10, 10, 10, 10, 1.5));
      return DONE;
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    repo = TestRepo.create(root, DaemonSettings.DEFAULTS);
    server = DaemonServer.builder(repo).cacheLoader(loader).indexRunner(indexer).clock(clock).build();
    server.start();
  }

  @AfterEach
  void tearDown() {
    indexer.release.countDown();
    server.stop("test over");
    clients.shutdownNow();
  }

  /** An index call on its own connection and thread, collecting the progress notifications it hears. */
  private Future<IndexResult> index(boolean clear, List<Object> progress) {
    return clients.submit(() -> {
      try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
        return c.index(new IndexParams(clear), (method, params) -> {
          if (Methods.PROGRESS.equals(method)) {
            progress.add(params);
          }
        });
      }
    });
  }

  private JsonNode status() throws Exception {
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      return c.call(Methods.STATUS, null);
    }
  }

  @Test
  void index_streamsProgressNotifications_thenAnswersWithTheRunsCountsViaDaemon() throws Exception {
    List<Object> progress = new CopyOnWriteArrayList<>();
    Future<IndexResult> result = index(false, progress);
    await().until(() -> progress.size() >= 2);
    assertThat(progress.get(progress.size() - 1)).isInstanceOfSatisfying(Map.class, p -> {
      assertThat(p.get("phase")).isEqualTo("embedding");
      assertThat(p.get("chunks_embedded")).isEqualTo(5);
      assertThat(p.get("chunks_to_embed")).isEqualTo(10);
      assertThat(p.get("joined")).isEqualTo(false);
      assertThat(p.get("id")).isEqualTo(1);
    });
    indexer.release.countDown();
    assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(new IndexResult(22, 10, 2, 1, 83, 10, 5, 1.5, true, false,
        "daemon"));
    assertThat(progress.get(progress.size() - 1)).isInstanceOfSatisfying(Map.class,
        p -> assertThat(p.get("phase")).isEqualTo("done"));
  }

  @Test
  void secondIndexRequest_whileOneRuns_followsItInsteadOfStartingASecondWriter() throws Exception {
    List<Object> first = new CopyOnWriteArrayList<>();
    List<Object> second = new CopyOnWriteArrayList<>();
    Future<IndexResult> a = index(false, first);
    await().until(() -> !first.isEmpty());
    Future<IndexResult> b = index(false, second);
    await().until(() -> !second.isEmpty());
    assertThat(second.get(0)).isInstanceOfSatisfying(Map.class, p -> assertThat(p.get("joined")).isEqualTo(true));
    indexer.release.countDown();
    assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo(b.get(10, TimeUnit.SECONDS));
    assertThat(indexer.runs.get()).isEqualTo(1);
  }

  @Test
  void clearWhileARunWithoutClearIsInProgress_isRefusedWithSinceWhenAndHowFar() throws Exception {
    List<Object> progress = new CopyOnWriteArrayList<>();
    index(false, progress);
    await().until(() -> progress.size() >= 2);
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThatThrownBy(() -> c.index(new IndexParams(true), (m, p) -> { }))
          .isInstanceOfSatisfying(DaemonRpcException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INDEXING_RUNNING.code());
            assertThat(e.getMessage()).matches("indexing is already running since \\d\\d:\\d\\d:\\d\\d, 5/10 chunks "
                + "embedded; run `cidx index --clear` again when it has finished");
          });
    }
    assertThat(indexer.runs.get()).isEqualTo(1);
  }

  @Test
  void clientThatGoesAway_cancelsTheRunWithinASecond_andTheDaemonGoesIdle() throws Exception {
    try (LineSocket s = new LineSocket(server.socketPath())) {
      s.send("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"index\",\"params\":{}}\n");
      assertThat(s.read().path("method").asText()).isEqualTo("progress");
      await().until(() -> indexer.runs.get() == 1);
    }
    long gone = System.nanoTime();
    await().atMost(Duration.ofSeconds(2)).until(() -> indexer.cancels.get() == 1);
    assertThat((System.nanoTime() - gone) / 1e9).isLessThan(1.0);
    await().until(() -> server.state().snapshot().inFlight() == 0);
    assertThat(status().path("indexing").isNull()).isTrue();
  }

  @Test
  void theClientThatStartedARunTakesItAlong_evenWhenOthersFollowIt() throws Exception {
    List<Object> follower = new CopyOnWriteArrayList<>();
    LineSocket starter = new LineSocket(server.socketPath());
    starter.send("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"index\",\"params\":{}}\n");
    starter.read();
    Future<IndexResult> b = index(false, follower);
    await().until(() -> !follower.isEmpty());
    starter.close(); // Ctrl+C on the run it started

    await().atMost(Duration.ofSeconds(2)).until(() -> indexer.cancels.get() == 1);
    assertThat(b.get(10, TimeUnit.SECONDS).cancelled()).as("the follower hears of the cancellation").isTrue();
  }

  @Test
  void aFollowerThatGoesAway_leavesTheRunGoing() throws Exception {
    List<Object> owner = new CopyOnWriteArrayList<>();
    Future<IndexResult> a = index(false, owner);
    await().until(() -> !owner.isEmpty());
    try (LineSocket follower = new LineSocket(server.socketPath())) {
      follower.send("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"index\",\"params\":{}}\n");
      assertThat(follower.read().path("params").path("joined").asBoolean()).isTrue();
    }
    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> indexer.cancels.get() == 0);
    indexer.release.countDown();
    assertThat(a.get(10, TimeUnit.SECONDS).committed()).isTrue();
  }

  @Test
  void aRunStartedInTheBackground_goesOnWhenItsClientLeaves_andKeepsTheDaemonBusy() throws Exception {
    try (LineSocket s = new LineSocket(server.socketPath())) {
      s.send("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"index\",\"params\":{\"background\":true}}\n");
      s.read();
    }
    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> indexer.cancels.get() == 0);
    assertThat(status().path("indexing").isObject()).as("status shows the run").isTrue();
    assertThat(server.state().snapshot().inFlight()).as("the daemon is busy while it writes").isPositive();
    indexer.release.countDown();
    await().until(() -> status().path("indexing").isNull());
    assertThat(indexer.cancels.get()).isZero();
  }

  @Test
  void indexCancel_stopsTheRunWhoeverStartedIt_andSaysWhichRunItWas() throws Exception {
    List<Object> progress = new CopyOnWriteArrayList<>();
    Future<IndexResult> run = index(false, progress);
    await().until(() -> !progress.isEmpty());
    JsonNode answer;
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      answer = c.call(Methods.INDEX_CANCEL, null);
    }
    assertThat(answer.path("cancelled").asBoolean()).isTrue();
    assertThat(answer.path("run").asText()).matches("since \\d\\d:\\d\\d:\\d\\d, 5/10 chunks embedded");
    assertThat(run.get(10, TimeUnit.SECONDS).cancelled()).isTrue();
    assertThat(indexer.cancels.get()).isEqualTo(1);
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThat(c.call(Methods.INDEX_CANCEL, null).path("cancelled").asBoolean()).as("nothing left to cancel").isFalse();
    }
  }

  @Test
  void newIndexRequest_neverJoinsACancelledRun_itWaitsForItToEnd_andStartsItsOwn() throws Exception {
    indexer.rollback = new CountDownLatch(1);
    try (LineSocket s = new LineSocket(server.socketPath())) {
      s.send("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"index\",\"params\":{}}\n");
      s.read();
    }
    await().until(() -> indexer.cancels.get() == 1); // cancelled, still rolling back
    List<Object> progress = new CopyOnWriteArrayList<>();
    Future<IndexResult> next = index(false, progress);
    await().during(Duration.ofMillis(300)).until(() -> progress.isEmpty() || !isJoined(progress.get(0)));
    indexer.rollback.countDown();
    await().until(() -> indexer.runs.get() == 2);
    indexer.release.countDown();
    IndexResult result = next.get(10, TimeUnit.SECONDS);
    assertThat(result.cancelled()).isFalse();
    assertThat(result.committed()).isTrue();
    assertThat(progress.get(0)).isInstanceOfSatisfying(Map.class, p -> assertThat(p.get("joined")).isEqualTo(false));
  }

  private static boolean isJoined(Object progress) {
    return progress instanceof Map<?, ?> p && Boolean.TRUE.equals(p.get("joined"));
  }

  @Test
  void shutdownUnlessWriting_isRefusedWhileARunWrites_andTheRunEndsCommitted() throws Exception {
    List<Object> progress = new CopyOnWriteArrayList<>();
    Future<IndexResult> run = index(false, progress);
    await().until(() -> progress.size() >= 2);
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThatThrownBy(() -> c.call(Methods.SHUTDOWN, Map.of("unless_writing", true)))
          .isInstanceOfSatisfying(DaemonRpcException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.WRITING.code());
            assertThat(e.getMessage()).matches("the daemon is indexing since \\d\\d:\\d\\d:\\d\\d, 5/10 chunks "
                + "embedded; it keeps running");
          });
    }
    assertThat(server.stopReason()).isNull();
    indexer.release.countDown();
    assertThat(run.get(10, TimeUnit.SECONDS).committed()).isTrue();
    await().until(() -> server.state().snapshot().inFlight() == 0);
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThat(c.call(Methods.SHUTDOWN, Map.of("unless_writing", true)).path("stopping").asBoolean()).isTrue();
    }
    assertThat(server.awaitStopped(Duration.ofSeconds(10))).isTrue();
  }

  @Test
  void aRunInProgress_keepsTheDaemonBusy_evenPastItsIdleTtl_andStatusShowsIt() throws Exception {
    List<Object> progress = new CopyOnWriteArrayList<>();
    Future<IndexResult> result = index(false, progress);
    await().until(() -> progress.size() >= 2);
    clock.advance(Duration.ofMinutes(30));
    server.checkExpiryNow();
    JsonNode status = status();
    assertThat(status.path("state").asText()).isEqualTo("busy");
    assertThat(status.path("idle_seconds").asDouble()).isZero();
    JsonNode indexing = status.path("indexing");
    assertThat(indexing.path("phase").asText()).isEqualTo("embedding");
    assertThat(indexing.path("chunks_embedded").asInt()).isEqualTo(5);
    assertThat(indexing.path("chunks_to_embed").asInt()).isEqualTo(10);
    assertThat(indexing.has("id")).isFalse();
    assertThat(indexing.path("started_at").asText()).isNotEmpty();
    indexer.release.countDown();
    result.get(10, TimeUnit.SECONDS);
    assertThat(server.stopReason()).isNull();
  }

  @Test
  void statusDuringALongStepWithoutReports_showsTheElapsedTimeRunningOn() throws Exception {
    // The fake run reports 1.0 s elapsed, then sends nothing until released (as a long commit does).
    List<Object> progress = new CopyOnWriteArrayList<>();
    Future<IndexResult> result = index(false, progress);
    await().until(() -> progress.size() >= 2);
    await().until(() -> status().path("indexing").path("elapsed_seconds").asDouble() > 1.05);
    assertThat(status().path("indexing").path("chunks_embedded").asInt()).isEqualTo(5);
    indexer.release.countDown();
    result.get(10, TimeUnit.SECONDS);
  }

  @Test
  void indexFailure_isAnsweredWithIndexFailedAndTheIndexersMessage() throws Exception {
    indexer.failure = new IndexException("another `cidx index` is already writing this index; wait for it to finish");
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      assertThatThrownBy(() -> c.index(new IndexParams(false), (m, p) -> { }))
          .isInstanceOfSatisfying(DaemonRpcException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INDEX_FAILED.code());
            assertThat(e.getMessage())
                .isEqualTo("another `cidx index` is already writing this index; wait for it to finish");
          });
    }
  }

  @Test
  void runEmbedsWithTheCachedModel_andTheNextQueryKeepsTheModelTheRunLoaded() throws Exception {
    indexer.useModel = true;
    indexer.release.countDown();
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      c.index(new IndexParams(false), (m, p) -> { });
      assertThat(loader.modelLoads.get()).isEqualTo(1);
      c.call(Methods.QUERY, QueryRequest.builder("q").build());
      c.index(new IndexParams(false), (m, p) -> { });
    }
    assertThat(loader.modelLoads.get()).isEqualTo(1);
    assertThat(loader.indexOpens.get()).isEqualTo(1);
  }

  @Test
  void modelChangedInConfigMidRun_theRunEmbedsWithTheModelItBeganWith_andItsCommitNamesThatModel() throws Exception {
    indexer.useModel = true;
    indexer.beforeModel = new CountDownLatch(1);
    List<Object> progress = new CopyOnWriteArrayList<>();
    Future<IndexResult> run = index(false, progress);
    await().until(() -> indexer.runs.get() == 1);
    TestRepo.writeConfig(repo, CidxConfig.defaults().withEmbeddingModel("all-minilm-l6-v2"));
    await().until(() -> server.config().embeddingModel().equals("all-minilm-l6-v2"));
    indexer.beforeModel.countDown(); // the run now asks for its model, after the change
    await().until(() -> loader.modelLoads.get() == 1);
    assertThat(indexer.commitModels).containsExactly("bge-small-en-v1.5");
    assertThat(loader.loadedModels).containsExactly("bge-small-en-v1.5");
    indexer.release.countDown();
    assertThat(run.get(10, TimeUnit.SECONDS).committed()).isTrue();
  }

  @Test
  void aModelChangeMidRun_queriesKeepTheRunsModelUntilItIsGivenBack_thenTheNextQueryLoadsTheNewOne() throws Exception {
    indexer.useModel = true;
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      c.call(Methods.QUERY, QueryRequest.builder("q").build()); // loads bge-small-en-v1.5, which the run borrows
    }
    List<Object> progress = new CopyOnWriteArrayList<>();
    Future<IndexResult> run = index(false, progress);
    await().until(() -> !progress.isEmpty());
    TestRepo.writeConfig(repo, CidxConfig.defaults().withEmbeddingModel("all-minilm-l6-v2"));
    await().until(() -> server.config().embeddingModel().equals("all-minilm-l6-v2"));
    loader.current.set(false); // a newer commit on disk: the query refreshes the snapshot, not the model
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      c.call(Methods.QUERY, QueryRequest.builder("q").build());
    }
    assertThat(loader.loadedModels).containsExactly("bge-small-en-v1.5");
    assertThat(loader.indexOpens.get()).isEqualTo(2);
    assertThat(loader.modelCloses.get()).as("the run's model is still open").isZero();
    indexer.release.countDown();
    assertThat(run.get(10, TimeUnit.SECONDS).committed()).isTrue();
    await().until(() -> loader.modelCloses.get() == 1); // given back: the cache drops the old model
    try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
      c.call(Methods.QUERY, QueryRequest.builder("q").build());
    }
    assertThat(loader.loadedModels).containsExactly("bge-small-en-v1.5", "all-minilm-l6-v2");
  }

  @Test
  void clearCache_waitsForTheRunToGiveTheModelBack() throws Exception {
    indexer.useModel = true;
    List<Object> progress = new CopyOnWriteArrayList<>();
    Future<IndexResult> run = index(false, progress);
    await().until(() -> !progress.isEmpty() && loader.modelLoads.get() == 1);
    Future<JsonNode> cleared = clients.submit(() -> {
      try (DaemonClient c = DaemonClient.connect(server.socketPath())) {
        return c.call(Methods.CLEAR_CACHE, null);
      }
    });
    await().during(Duration.ofMillis(300)).until(() -> !cleared.isDone());
    assertThat(loader.modelCloses.get()).isZero();
    indexer.release.countDown();
    run.get(10, TimeUnit.SECONDS);
    assertThat(cleared.get(10, TimeUnit.SECONDS).path("cleared").asBoolean()).isTrue();
    assertThat(loader.modelCloses.get()).isEqualTo(1);
  }
}
