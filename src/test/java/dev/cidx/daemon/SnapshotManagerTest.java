package dev.cidx.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cidx.protocol.QueryResult;
import dev.cidx.search.QueryService;
import dev.cidx.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reference counting, switching and failed refreshes, with fake snapshots and a refresher run by hand. */
class SnapshotManagerTest {
  /** A fake snapshot: its commit number, and whether it was closed (and how often). */
  static final class FakeIndex implements CacheLoader.Index {
    final int commit;
    int closes;

    FakeIndex(int commit) {
      this.commit = commit;
    }

    @Override
    public boolean isCurrent() {
      return true;
    }

    @Override
    public CacheLoader.IndexInfo info() {
      return new CacheLoader.IndexInfo(1L, 1L, "commit-" + commit);
    }

    @Override
    public void close() {
      closes++;
    }
  }

  /** Reopens to the next commit, or fails with {@link #failure} when set. */
  final class FakeLoader implements CacheLoader {
    int committed = 1;
    IOException failure;

    @Override
    public Model loadModel(String modelName) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Index openIndex() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Index reopen(Index current) throws IOException {
      if (failure != null) {
        throw failure;
      }
      FakeIndex c = (FakeIndex) current;
      return c.commit == committed ? null : new FakeIndex(committed);
    }

    @Override
    public QueryService searcher(Model model, Index index) {
      return request -> new QueryResult(request.query(), request.mode(), 0, "fake", List.of());
    }
  }

  final FakeLoader loader = new FakeLoader();
  final FakeIndex first = new FakeIndex(1);
  /** Refresh tasks waiting to run; the test runs them. */
  final Queue<Runnable> refresher = new ArrayDeque<>();
  final Instant start = Instant.parse("2026-12-03T10:00:00Z");
  final MutableClock clock = new MutableClock(start);
  final AtomicLong opens = new AtomicLong(1);
  final List<LogRecord> log = new CopyOnWriteArrayList<>();
  final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      log.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  SnapshotManager manager;

  @BeforeEach
  void newManager() {
    Logger.getLogger(SnapshotManager.class.getName()).addHandler(capture);
    manager = new SnapshotManager(first, 1.0, loader, i -> loader.searcher(null, i), refresher::add, clock, opens);
  }

  @AfterEach
  void removeHandler() {
    Logger.getLogger(SnapshotManager.class.getName()).removeHandler(capture);
  }

  private static int commitOf(SnapshotManager.Snapshot s) {
    return ((FakeIndex) s.index()).commit;
  }

  private void runRefresher() {
    while (!refresher.isEmpty()) {
      refresher.poll().run();
    }
  }

  @Test
  void acquireAndRelease_countReferences_andTheManagersOwnKeepsTheSnapshotOpen() {
    SnapshotManager.Snapshot a = manager.acquire();
    SnapshotManager.Snapshot b = manager.acquire();
    assertThat(a).isSameAs(b);
    assertThat(a.references()).isEqualTo(3);
    a.release();
    b.release();
    assertThat(a.references()).isEqualTo(1);
    assertThat(first.closes).isZero();
  }

  @Test
  void aSwitchWhileQueriesRun_givesNewQueriesTheNewSnapshot_andClosesTheOldAfterItsLastQuery() throws Exception {
    SnapshotManager.Snapshot running1 = manager.acquire();
    SnapshotManager.Snapshot running2 = manager.acquire();
    loader.committed = 2;
    assertThat(manager.refresh("in a test")).isTrue();

    SnapshotManager.Snapshot next = manager.acquire();
    assertThat(commitOf(next)).isEqualTo(2);
    assertThat(commitOf(running1)).isEqualTo(1);
    running1.release();
    assertThat(first.closes).as("a query still reads it").isZero();
    running2.release();
    assertThat(first.closes).isEqualTo(1);
    next.release();
    assertThat(((FakeIndex) next.index()).closes).as("the manager still holds it").isZero();
    assertThat(opens.get()).isEqualTo(2);
  }

  @Test
  void refreshSoon_runsOnTheRefresher_andQueriesKeepTheOldSnapshotUntilItIsDone() {
    loader.committed = 2;
    CompletableFuture<Void> done = manager.refreshSoon();
    assertThat(manager.refreshSoon()).as("a request before it starts joins it").isSameAs(done);
    assertThat(refresher).hasSize(1);
    assertThat(manager.refreshing()).isTrue();
    SnapshotManager.Snapshot during = manager.acquire();
    assertThat(commitOf(during)).isEqualTo(1);
    during.release();

    runRefresher();
    assertThat(done).isDone();
    assertThat(manager.refreshing()).isFalse();
    SnapshotManager.Snapshot after = manager.acquire();
    assertThat(commitOf(after)).isEqualTo(2);
    after.release();
    assertThat(first.closes).isEqualTo(1);
  }

  @Test
  void aFailedRefresh_keepsTheOldSnapshotInService_andSaysSoInTheLog() {
    loader.committed = 2;
    loader.failure = new IOException("the index is damaged: its vector delta delta-7.vec is missing");
    CompletableFuture<Void> done = manager.refreshSoon();
    runRefresher();
    assertThat(done).isDone();
    SnapshotManager.Snapshot s = manager.acquire();
    assertThat(commitOf(s)).isEqualTo(1);
    s.release();
    assertThat(first.closes).isZero();
    assertThat(log).anySatisfy(r -> assertThat(r.getMessage()).isEqualTo("index snapshot not refreshed (after a "
        + "commit): the index is damaged: its vector delta delta-7.vec is missing; queries keep reading commit-1 "
        + "until the next commit or query retries"));
  }

  @Test
  void afterAFailedRefresh_aQueryRetriesOnlyOnceRetryAfterHasPassed() {
    loader.committed = 2;
    loader.failure = new IOException("unreadable");
    manager.refreshIfStale();
    loader.failure = null;
    manager.refreshIfStale(); // too soon: the stale snapshot serves
    assertThat(commitOf(peekAcquired())).isEqualTo(1);
    clock.advance(SnapshotManager.RETRY_AFTER.plus(Duration.ofMillis(1)));
    manager.refreshIfStale();
    assertThat(commitOf(peekAcquired())).isEqualTo(2);
  }

  @Test
  void aQueryLeavesAStaleSnapshotToARefreshOnItsWay() {
    loader.committed = 2;
    manager.refreshSoon();
    manager.refreshIfStale();
    assertThat(commitOf(peekAcquired())).isEqualTo(1);
    runRefresher();
    assertThat(commitOf(peekAcquired())).isEqualTo(2);
  }

  @Test
  void close_handsOutNothingMore_andClosesTheSnapshotOnlyAfterItsLastQuery() throws Exception {
    SnapshotManager.Snapshot running = manager.acquire();
    manager.close();
    manager.close();
    assertThat(manager.acquire()).isNull();
    assertThat(first.closes).isZero();
    running.release();
    assertThat(first.closes).isEqualTo(1);
    loader.committed = 2;
    assertThat(manager.refresh("after close")).isFalse();
    assertThatThrownBy(running::release).isInstanceOf(IllegalStateException.class);
  }

  private SnapshotManager.Snapshot peekAcquired() {
    SnapshotManager.Snapshot s = manager.acquire();
    s.release();
    return s;
  }
}
