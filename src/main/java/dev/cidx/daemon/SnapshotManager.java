package dev.cidx.daemon;

import dev.cidx.search.QueryService;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The index snapshot queries read, for one loaded model, moved to each new commit off the query path
 * (Lucene's {@code SearcherManager}, with the daemon's vectors and tables in the snapshot).
 *
 * <p><b>Refresh.</b> The daemon's writer calls {@link #refreshSoon} after each commit; the refresh runs
 * on the refresher thread and costs what the commit changed ({@link CacheLoader#reopen}). Queries go on
 * reading the current snapshot meanwhile and the next one {@link #acquire}d is the new one: the switch is
 * one volatile write. A commit the daemon did not make (a standalone {@code cidx index}) is noticed by the
 * query that finds its snapshot stale with no refresh under way ({@link #refreshIfStale}), which refreshes
 * on its own thread, as the only way it can answer with what was committed.
 *
 * <p><b>Reference counts.</b> A snapshot starts with one reference, the manager's. Each query holds one
 * from {@link #acquire} to {@link Snapshot#release}; a switch releases the manager's. The snapshot is
 * closed by whoever drops the count to zero, so a query never reads a closed reader and an old snapshot
 * lives exactly as long as its last query.
 *
 * <p><b>A failed refresh</b> (a damaged or half-removed commit) keeps the current snapshot in service and
 * says so in daemon.log; the next commit tries again, and so does a query finding the index stale once
 * {@link #RETRY_AFTER} has passed.
 *
 * <p>Threads: {@link #acquire} and {@link Snapshot#release} from any thread, lock-free. Refreshes, from
 * the refresher thread or a query's, take {@link #refreshLock}, one at a time; {@link #close} takes it
 * too, so it waits for a refresh in progress and none starts after it.
 */
final class SnapshotManager implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SnapshotManager.class.getName());
  /** How long after a failed refresh a query finding the index stale tries again itself. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private final CacheLoader loader;
  private final Function<CacheLoader.Index, QueryService> searchers;
  private final Executor refresher;
  private final Clock clock;
  private final AtomicLong opens;
  private final Object refreshLock = new Object();
  /** The snapshot new queries get; null once closed. Written under refreshLock. */
  private volatile Snapshot current;
  /** Refreshes asked for and not yet finished, to let a query finding a stale snapshot leave it to them. */
  private final AtomicInteger outstanding = new AtomicInteger();
  /** A refresh asked for and not yet started, which later requests join; guarded by this. */
  private CompletableFuture<Void> queued;
  /** When the last refresh failed, null when it succeeded; written under refreshLock. */
  private volatile Instant failedAt;

  /**
   * Manages {@code first}, already open; {@code searchers} builds the query service over each snapshot
   * (over this manager's model), {@code opens} counts the snapshots opened for the status.
   */
  SnapshotManager(CacheLoader.Index first, double openMs, CacheLoader loader,
      Function<CacheLoader.Index, QueryService> searchers, Executor refresher, Clock clock, AtomicLong opens) {
    this.loader = loader;
    this.searchers = searchers;
    this.refresher = refresher;
    this.clock = clock;
    this.opens = opens;
    this.current = new Snapshot(first, searchers.apply(first), clock.instant(), openMs);
  }

  /** One open index and the query service over it, reference-counted. */
  static final class Snapshot {
    private final CacheLoader.Index index;
    private final QueryService searcher;
    private final CacheLoader.IndexInfo info;
    private final Instant openedAt;
    private final double openMs;
    /** The manager's reference and one per query; the snapshot is closed when it reaches 0. */
    private final AtomicInteger references = new AtomicInteger(1);

    private Snapshot(CacheLoader.Index index, QueryService searcher, Instant openedAt, double openMs) {
      this.index = index;
      this.searcher = searcher;
      this.info = index.info();
      this.openedAt = openedAt;
      this.openMs = openMs;
    }

    QueryService searcher() {
      return searcher;
    }

    CacheLoader.Index index() {
      return index;
    }

    CacheLoader.IndexInfo info() {
      return info;
    }

    Instant openedAt() {
      return openedAt;
    }

    double openMs() {
      return openMs;
    }

    /** Adds a reference unless the snapshot is already closed (its count reached 0). */
    private boolean tryRetain() {
      for (int n = references.get(); n > 0; n = references.get()) {
        if (references.compareAndSet(n, n + 1)) {
          return true;
        }
      }
      return false;
    }

    /** Gives a reference back; the last one closes the index. Call exactly once per acquire. */
    void release() {
      int left = references.decrementAndGet();
      if (left == 0) {
        try {
          index.close();
        } catch (Exception e) {
          LOG.log(Level.WARNING, "cannot close an index snapshot", e);
        }
      } else if (left < 0) {
        throw new IllegalStateException("snapshot released more often than acquired");
      }
    }

    int references() {
      return references.get();
    }
  }

  /**
   * The current snapshot with a reference for the caller, who must {@link Snapshot#release} it; null once
   * the manager is closed.
   */
  Snapshot acquire() {
    while (true) {
      Snapshot s = current;
      if (s == null || s.tryRetain()) {
        return s;
      }
      // switched and closed between the read and the retain: the next read sees its successor
    }
  }

  /** The current snapshot, without a reference: for the status only. */
  Snapshot peek() {
    return current;
  }

  /** True while a refresh asked for by {@link #refreshSoon} is queued or running. */
  boolean refreshing() {
    return outstanding.get() > 0;
  }

  /**
   * Moves to the newest commit in the background; the future completes once the new snapshot is in
   * service (or the refresh failed and was logged). Requests made before a queued refresh starts share it.
   */
  CompletableFuture<Void> refreshSoon() {
    CompletableFuture<Void> mine;
    synchronized (this) {
      if (queued != null) {
        return queued;
      }
      mine = queued = new CompletableFuture<>();
      outstanding.incrementAndGet();
    }
    try {
      refresher.execute(() -> {
        synchronized (this) {
          queued = null;
        }
        try {
          refreshLogged("after a commit");
        } finally {
          outstanding.decrementAndGet();
          mine.complete(null);
        }
      });
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        queued = null;
      }
      outstanding.decrementAndGet();
      mine.complete(null); // the daemon is stopping: nothing left to refresh for
    }
    return mine;
  }

  /**
   * For a query that found {@code seen} stale: refreshes now on the caller's thread unless a background
   * refresh is on its way or the last one failed less than {@link #RETRY_AFTER} ago.
   */
  void refreshIfStale() {
    Instant failed = failedAt;
    if (refreshing() || (failed != null && clock.instant().isBefore(failed.plus(RETRY_AFTER)))) {
      return;
    }
    refreshLogged("by a query that found the index changed on disk");
  }

  /** Refreshes, logging a failure instead of throwing it: the current snapshot stays in service. */
  private void refreshLogged(String why) {
    try {
      refresh(why);
    } catch (Exception | LinkageError e) {
      // A refresh that throws must not take the refresher thread or a query with it; the old snapshot serves.
      Snapshot s = current;
      LOG.warning("index snapshot not refreshed (" + why + "): " + e.getMessage() + "; queries keep reading "
          + (s != null ? s.info().commit() : "nothing") + " until the next commit or query retries");
    }
  }

  /** Opens what changed since the current snapshot and switches to it; false when nothing changed. */
  boolean refresh(String why) throws IOException {
    synchronized (refreshLock) {
      Snapshot old = current;
      if (old == null) {
        return false; // closed
      }
      long start = System.nanoTime();
      CacheLoader.Index next;
      try {
        next = loader.reopen(old.index());
      } catch (IOException | RuntimeException e) {
        failedAt = clock.instant();
        throw e;
      }
      failedAt = null;
      if (next == null) {
        return false;
      }
      opens.incrementAndGet();
      double ms = (System.nanoTime() - start) / 1e6;
      current = new Snapshot(next, searchers.apply(next), clock.instant(), ms);
      old.release();
      LOG.info("index snapshot refreshed " + why + " in " + Math.round(ms * 10) / 10.0 + " ms: "
          + next.info().commit());
      return true;
    }
  }

  /**
   * Stops serving: no snapshot is handed out from here on, and the current one closes when its last query
   * releases it. Waits for a refresh in progress. A second call does nothing.
   */
  @Override
  public void close() {
    Snapshot s;
    synchronized (refreshLock) {
      s = current;
      current = null;
    }
    if (s != null) {
      s.release();
    }
  }
}
