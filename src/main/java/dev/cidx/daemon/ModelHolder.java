package dev.cidx.daemon;

import dev.cidx.search.SearchException;
import dev.cidx.search.SearchException.Reason;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's embedding models apart from the queries' use of them: loads them on the
 * {@code cidx-model-loader} thread, lends one to index runs ({@link #borrow}), and keeps the model a run
 * loaded while nothing was cached as the spare, which the next cache load takes, so the daemon never holds
 * two copies.
 *
 * <p><b>Lending is reference counting.</b> Each {@link BorrowedModel} counts as one run using a model;
 * until every one is closed, {@link #awaitReturned} does not return, so the cache is not dropped and no lent
 * model is closed under a run. The last return closes a spare that config.json no longer names.
 *
 * <p><b>Threads.</b> One lock, the <i>load lock</i>, orders cache loads, cache drops and lending:
 * {@link IndexCache} takes it ({@link #lock}, {@link #tryLock}) around loading and dropping its entry; methods
 * marked "under the load lock" must be called holding it; {@link #borrow} and {@link BorrowedModel#close}
 * take it themselves. The spare, the count of borrowers and the model last lent are guarded by it.
 * {@link #awaitReturned} releases it while it waits, so queries go on loading and refreshing meanwhile.
 */
final class ModelHolder implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ModelHolder.class.getName());

  private final CacheLoader loader;
  private final Supplier<String> configuredModel;
  /** The model of the cache's loaded entry, or null; read under the load lock, when the cache cannot change it. */
  private final Supplier<CacheLoader.Model> cachedModel;
  private final ReentrantLock loadLock = new ReentrantLock();
  /** Signalled under loadLock when an index run gives its model back. */
  private final Condition modelReturned = loadLock.newCondition();
  /** A model an index run loaded while no entry was loaded; guarded by loadLock. */
  private CacheLoader.Model spareModel;
  /** Index runs holding a borrowed model; guarded by loadLock. */
  private int borrowed;
  /** The model last lent to an index run while {@link #borrowed} is positive; guarded by loadLock. */
  private CacheLoader.Model lent;
  private final ExecutorService modelLoader = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "cidx-model-loader");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong modelLoads = new AtomicLong();

  /**
   * @param configuredModel the model config.json names now
   * @param cachedModel the model of the cache's loaded entry, null when nothing is loaded
   */
  ModelHolder(CacheLoader loader, Supplier<String> configuredModel, Supplier<CacheLoader.Model> cachedModel) {
    this.loader = loader;
    this.configuredModel = configuredModel;
    this.cachedModel = cachedModel;
  }

  /** Takes the load lock. */
  void lock() {
    loadLock.lock();
  }

  /** Takes the load lock unless {@code timeout} passes first. */
  boolean tryLock(Duration timeout) throws InterruptedException {
    return loadLock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  void unlock() {
    loadLock.unlock();
  }

  /** Starts loading {@code modelName} on the model-loader thread, for the cache. */
  Future<CacheLoader.Model> loadForCache(String modelName) {
    return modelLoader.submit(() -> {
      CacheLoader.Model m = loader.loadModel(modelName);
      modelLoads.incrementAndGet();
      return m;
    });
  }

  /** Under the load lock: the spare model if it is {@code modelName}, else null. It stays the spare. */
  CacheLoader.Model spareFor(String modelName) {
    return spareModel != null && spareModel.name().equals(modelName) ? spareModel : null;
  }

  /** Under the load lock: the cache's new entry owns the spare now. */
  void spareTakenByCache() {
    spareModel = null;
  }

  /** Under the load lock: hands over the spare (null if none) for the caller to close. */
  CacheLoader.Model takeSpare() {
    CacheLoader.Model spare = spareModel;
    spareModel = null;
    return spare;
  }

  /**
   * Under the load lock: waits until no index run holds a borrowed model, releasing the lock meanwhile.
   * False if {@code timeout} (null: none) passed first.
   */
  boolean awaitReturned(Duration timeout) throws InterruptedException {
    long waitNanos = timeout == null ? Long.MAX_VALUE : timeout.toNanos();
    while (borrowed > 0) {
      if (waitNanos <= 0) {
        return false;
      }
      if (timeout == null) {
        modelReturned.await();
      } else {
        waitNanos = modelReturned.awaitNanos(waitNanos);
      }
    }
    return true;
  }

  /**
   * The model {@code modelName} for an index run, the one its config named when it began (config.json may
   * name another by now): the cache's, else the spare one, else a newly loaded one that becomes the spare.
   * Until the caller closes the result, the cache is not dropped and the model is not closed.
   */
  BorrowedModel borrow(String modelName) throws SearchException {
    loadLock.lock();
    try {
      CacheLoader.Model cached = cachedModel.get();
      CacheLoader.Model model;
      if (cached != null && cached.name().equals(modelName)) {
        model = cached;
      } else if (spareModel != null && spareModel.name().equals(modelName)) {
        model = spareModel;
      } else {
        if (spareModel != lent) {
          closeQuietly(spareModel);
        }
        spareModel = null;
        Future<CacheLoader.Model> loading = modelLoader.submit(() -> loader.loadModel(modelName));
        model = await(modelName, loading);
        modelLoads.incrementAndGet();
        spareModel = model;
        LOG.info("model " + modelName + " loaded for an index run");
      }
      borrowed++;
      lent = model;
      return new BorrowedModel(model);
    } finally {
      loadLock.unlock();
    }
  }

  /** A model lent to an index run; {@link #close()} gives it back. */
  final class BorrowedModel implements AutoCloseable {
    private final CacheLoader.Model model;
    private boolean returned;

    private BorrowedModel(CacheLoader.Model model) {
      this.model = model;
    }

    CacheLoader.Model model() {
      return model;
    }

    /** Gives the model back; a second call does nothing. */
    @Override
    public void close() {
      loadLock.lock();
      try {
        if (!returned) {
          returned = true;
          borrowed--;
          if (borrowed == 0) {
            if (spareModel == lent && spareModel != null && !spareModel.name().equals(configuredModel.get())) {
              // Loaded for a run that began before config.json named another model: nothing needs it now.
              closeQuietly(spareModel);
              spareModel = null;
            }
            lent = null;
          }
          modelReturned.signalAll();
        }
      } finally {
        loadLock.unlock();
      }
    }
  }

  long loads() {
    return modelLoads.get();
  }

  /** The loaded model, or the load's failure as a {@link SearchException}. */
  static CacheLoader.Model await(String name, Future<CacheLoader.Model> future) throws SearchException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SearchException(Reason.INTERNAL, "interrupted while loading the embedding model", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SearchException se) {
        throw se;
      }
      throw new SearchException(Reason.INTERNAL, "cannot load the embedding model " + name + ": " + cause.getMessage(), cause);
    }
  }

  /** The loaded model, or null if the load failed: the caller only wants to close it. */
  static CacheLoader.Model awaitQuietly(Future<CacheLoader.Model> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException e) {
      return null;
    }
  }

  /** Stops the model-loader thread; models are closed by whoever holds them. */
  @Override
  public void close() {
    modelLoader.shutdownNow();
  }

  static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.log(Level.WARNING, "cannot close " + c, e);
    }
  }
}
