package dev.cidx.daemon;

import dev.cidx.index.IndexMissingException;
import dev.cidx.protocol.Messages.CacheStatus;
import dev.cidx.search.SearchException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The daemon's cache: the loaded model and the {@link SnapshotManager} of the index snapshots searched with
 * it, loaded on demand and dropped on eviction, {@code clear_cache}, a model change or stop. Queries reach
 * it through {@link SnapshotQueries}; index runs borrow its model through {@link ModelHolder}.
 *
 * <p><b>Lifetimes.</b> An {@link Entry} holds one model and the {@link SnapshotManager} of the index
 * snapshots searched with it. It is created on the first query (model and index load in parallel) and
 * dropped by eviction or {@code clear_cache}, which close the model's native session and the index readers.
 * A new commit does not replace the entry: the writer's commit moves its snapshot manager to the new
 * snapshot in the background ({@link #refreshAfterCommit}), reopening only what the commit changed.
 *
 * <p><b>Threads.</b> Queries hold the read lock of {@link #rw} while they use the entry ({@link #readEntry}),
 * so any number run at once, and a reference to the snapshot they read, so a switch to a newer one never
 * closes it under them. Dropping the entry takes the write lock, which waits for running queries to release
 * theirs; it is held only for the swap itself, never while loading. Loading and dropping happen under the
 * load lock of {@link ModelHolder}, taken before the write lock, so one thread loads while others wait for
 * its result instead of loading the same thing again; {@link #entry} is written only under both.
 *
 * <p><b>Index runs share the model.</b> An index run in the daemon embeds with the cached model
 * ({@link ModelHolder#borrow}), loading it when nothing is loaded; such a model is kept as the holder's
 * spare and the next load takes it, so the daemon never holds two copies. A borrowed model is not closed
 * under the run: dropping the cache waits ({@link ModelHolder#awaitReturned}, releasing the load lock
 * meanwhile) until the run gives it back. Queries never wait for an index run: they read the last snapshot
 * switched to, and each of the run's commits switches to the next.
 */
final class IndexCache implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(IndexCache.class.getName());

  /** One loaded model and the snapshots searched with it. */
  private record Entry(CacheLoader.Model model, SnapshotManager snapshots, Instant loadedAt, double loadMs) {}

  private final CacheLoader loader;
  private final Supplier<String> configuredModel;
  private final Clock clock;
  /** The load lock, the spare model and the models lent to index runs. */
  private final ModelHolder models;
  private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
  /** Where snapshots are refreshed after a commit, one at a time, off the query path. */
  private final ExecutorService refresher = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "cidx-refresher");
    t.setDaemon(true);
    return t;
  });
  /** Written under the write lock of rw; read under its read lock, or racily (volatile) by status. */
  private volatile Entry entry;
  private final AtomicLong indexLoads = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();

  IndexCache(CacheLoader loader, Supplier<String> configuredModel, Clock clock) {
    this.loader = loader;
    this.configuredModel = configuredModel;
    this.clock = clock;
    this.models = new ModelHolder(loader, configuredModel, () -> {
      Entry e = entry;
      return e == null ? null : e.model();
    });
  }

  /**
   * The loaded entry's snapshots, read under the read lock, which is held until the result is closed;
   * {@link Reading#snapshots()} is null when nothing is loaded. Close it on the thread that opened it.
   */
  Reading readEntry() {
    rw.readLock().lock();
    Entry e = entry;
    return new Reading(e == null ? null : e.snapshots());
  }

  /** A query's hold on the cache: while open, the entry it read is not dropped. */
  final class Reading implements AutoCloseable {
    private final SnapshotManager snapshots;

    private Reading(SnapshotManager snapshots) {
      this.snapshots = snapshots;
    }

    SnapshotManager snapshots() {
      return snapshots;
    }

    /** Releases the read lock. */
    @Override
    public void close() {
      rw.readLock().unlock();
    }
  }

  /**
   * Moves the loaded snapshot to the newest commit in the background; the writer calls it after each
   * commit. The future completes once queries read that commit (or the refresh failed, which is logged);
   * at once when nothing is loaded (the next query loads the newest commit anyway).
   */
  CompletableFuture<Void> refreshAfterCommit() {
    Entry e = entry;
    return e == null ? CompletableFuture.completedFuture(null) : e.snapshots().refreshSoon();
  }

  /**
   * Loads the cache if nothing is loaded yet; a query arriving meanwhile waits for this load instead of
   * starting its own. A failure (no index yet, say) is only logged: the first query will report it.
   */
  void preload() {
    try {
      loadIfEmpty();
    } catch (SearchException | RuntimeException e) {
      LOG.info("cache not preloaded: " + e.getMessage());
    }
  }

  /** Loads model and index unless another thread did while this one waited for the load lock. */
  void loadIfEmpty() throws SearchException {
    models.lock();
    try {
      if (entry != null) {
        return;
      }
      String modelName = configuredModel.get();
      CacheLoader.Model spare = models.spareFor(modelName);
      Entry fresh = load(modelName, spare);
      if (spare != null) {
        models.spareTakenByCache();
      }
      rw.writeLock().lock();
      try {
        entry = fresh;
      } finally {
        rw.writeLock().unlock();
      }
      LOG.info("cache loaded in " + Math.round(fresh.loadMs()) + " ms (model " + modelName + ")");
    } finally {
      models.unlock();
    }
  }

  /** Opens the index on this thread while the model loads on another; on failure closes what opened. */
  private Entry load(String modelName, CacheLoader.Model keptModel) throws SearchException {
    long start = System.nanoTime();
    Future<CacheLoader.Model> modelFuture = null;
    if (keptModel == null) {
      modelFuture = models.loadForCache(modelName);
    }
    CacheLoader.Index index = null;
    CacheLoader.Model model = keptModel;
    boolean success = false;
    try {
      try {
        index = loader.openIndex();
        indexLoads.incrementAndGet();
      } catch (IndexMissingException e) {
        throw IndexErrors.missing(e);
      } catch (IOException e) {
        throw IndexErrors.damaged("open", e);
      }
      if (modelFuture != null) {
        model = ModelHolder.await(modelName, modelFuture);
      }
      double ms = (System.nanoTime() - start) / 1e6;
      CacheLoader.Model searchedWith = model;
      Entry e = new Entry(model, new SnapshotManager(index, ms, loader, i -> loader.searcher(searchedWith, i),
          refresher, clock, indexLoads), clock.instant(), ms);
      success = true;
      return e;
    } finally {
      if (!success) {
        if (modelFuture != null) {
          CacheLoader.Model loaded = model != null ? model : ModelHolder.awaitQuietly(modelFuture);
          ModelHolder.closeQuietly(loaded);
        }
        ModelHolder.closeQuietly(index);
      }
    }
  }

  /** The model {@code modelName} for an index run; see {@link ModelHolder#borrow}. */
  ModelHolder.BorrowedModel borrowModel(String modelName) throws SearchException {
    return models.borrow(modelName);
  }

  /** Drops the cache, waiting for running queries to finish. True if something was loaded. */
  boolean clear(String reason) {
    return clear(reason, null);
  }

  /**
   * Drops the cache; with a timeout, gives up (false, nothing closed) if running queries do not finish
   * in time. Used by stop, which must not hang on a stuck query.
   */
  boolean clear(String reason, Duration timeout) {
    Entry old;
    try {
      if (timeout == null) {
        models.lock();
      } else if (!models.tryLock(timeout)) {
        LOG.warning("cache not dropped (" + reason + "): a load is still running after " + timeout.toSeconds() + " s");
        return false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    CacheLoader.Model spare;
    try {
      // An index run is embedding with the model: wait until it gives it back (the load lock is released
      // while waiting, so queries go on refreshing).
      try {
        if (!models.awaitReturned(timeout)) {
          LOG.warning("cache not dropped (" + reason + "): an index run still uses the model after "
              + timeout.toSeconds() + " s");
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      spare = models.takeSpare();
      try {
        if (timeout == null) {
          rw.writeLock().lock();
        } else if (!rw.writeLock().tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
          LOG.warning("cache not dropped (" + reason + "): queries still running after " + timeout.toSeconds() + " s");
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      try {
        old = entry;
        entry = null;
      } finally {
        rw.writeLock().unlock();
      }
    } finally {
      models.unlock();
    }
    ModelHolder.closeQuietly(spare);
    if (old == null) {
      return spare != null;
    }
    evictions.incrementAndGet();
    closeEntry(old);
    // The model's session and the index are gone: give their memory back to the system rather than
    // keep it until the daemon exits.
    MemoryRelease.afterCacheDropped();
    LOG.info("cache dropped: " + reason);
    return true;
  }

  boolean isLoaded() {
    return entry != null;
  }

  long indexLoads() {
    return indexLoads.get();
  }

  long modelLoads() {
    return models.loads();
  }

  CacheStatus status() {
    Entry e = entry;
    if (e == null) {
      return new CacheStatus(false, null, null, null, null, null, null, indexLoads.get(), models.loads(),
          evictions.get());
    }
    SnapshotManager.Snapshot s = e.snapshots().peek();
    CacheLoader.IndexInfo info = s != null ? s.info() : CacheLoader.IndexInfo.UNKNOWN;
    return new CacheStatus(true, e.model().name(), info.chunks(), info.files(), info.commit(),
        e.loadedAt().toString(), e.loadMs(), indexLoads.get(), models.loads(), evictions.get());
  }

  /** Drops the cache and stops the loader thread. A second call does nothing more. */
  @Override
  public void close() {
    clear("daemon stopping");
    models.close();
    refresher.shutdownNow();
  }

  /** Like {@link #close()}, but gives up dropping the cache if queries still run after {@code timeout}. */
  void close(Duration timeout) {
    clear("daemon stopping", timeout);
    models.close();
    refresher.shutdownNow();
  }

  /** Closes the entry's snapshot (once its last query ends) and its model. */
  private static void closeEntry(Entry e) {
    ModelHolder.closeQuietly(e.snapshots());
    ModelHolder.closeQuietly(e.model());
  }
}
