package dev.cidx.daemon;

import dev.cidx.config.CidxConfig;
import dev.cidx.embed.Embedder;
import dev.cidx.embed.Embedders;
import dev.cidx.index.IndexException;
import dev.cidx.index.IndexProgress;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.index.IndexScope;
import dev.cidx.protocol.ErrorCode;
import dev.cidx.protocol.Messages.IndexProgressParams;
import dev.cidx.search.SearchException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's one writer: at most one index run at a time, on its own thread, which any number of
 * {@code index} requests follow. The first request starts a run; a request arriving while it runs joins
 * it (same progress, same result), unless it asks for {@code clear} and the run does not clear, which is
 * refused with {@link ErrorCode#INDEXING_RUNNING}, or the run was cancelled, which it waits out.
 *
 * <p><b>Who may stop a run.</b> The request that started a run owns it: when its client goes (Ctrl+C), the
 * run is cancelled, as a foreground command's work is; requests that joined only follow it, and their
 * clients going changes nothing. A run started in the background ({@code cidx index --background}, whose
 * client leaves once full text is committed) has no owner and goes on; {@link #cancel} stops any run
 * ({@code cidx index --cancel}). A cancelled run rolls back to its last commit, and what it embedded is in
 * the cache for the next one.
 *
 * <p>The run embeds with the cache's model ({@link ModelHolder#borrow}), borrowed only once a file
 * must be chunked, so a run with nothing to do loads nothing.
 *
 * <p><b>One model per run.</b> Each run (and each background update) reads config.json once, when it
 * starts, and uses that config from start to end: the indexer writes its commit under that config's model
 * and borrows exactly that model, even if config.json names another one by the time the first file is
 * chunked. A model change in the middle of a run therefore waits for the run: the run finishes with the
 * model it began with (its commit says so, and its vectors are that model's), the cache drops the old model
 * once the run gives it back, and the next run reports that the index needs {@code cidx index --clear}.
 * Waiting was chosen over cancelling because it loses no work and leaves a consistent commit, while a
 * cancelled run would have to be redone anyway.
 *
 * <p>Threads: {@link #attach}, {@link Attachment#detach} and {@link #cancel} run on connection threads;
 * the run on the {@code cidx-indexer} thread. {@link #current} is guarded by {@link #lock}; a job's
 * progress and cancel flag are volatile.
 */
final class IndexJobs implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(IndexJobs.class.getName());
  /** How long a run waits, after its last commit, for queries to read it (see {@link #awaitInService}). */
  private static final Duration REFRESH_WAIT = Duration.ofSeconds(30);
  private static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

  /**
   * Runs the indexer; the production one is {@code new Indexer(repo, config, embedder).run(...)}. The
   * {@code embedder} supplies the model {@code config} names, never another.
   */
  @FunctionalInterface
  interface Runner {
    IndexResult run(CidxConfig config, IndexScope scope, Supplier<Embedder> embedder, IndexProgress progress,
        BooleanSupplier cancelled) throws IOException, IndexException;
  }

  private final Runner runner;
  private final Supplier<CidxConfig> config;
  private final IndexCache cache;
  private final Clock clock;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "cidx-indexer");
    t.setDaemon(true);
    return t;
  });
  private final Object lock = new Object();
  /** The run in progress, null when none; guarded by lock. */
  private Job current;

  IndexJobs(Runner runner, Supplier<CidxConfig> config, IndexCache cache, Clock clock) {
    this.runner = runner;
    this.config = config;
    this.cache = cache;
    this.clock = clock;
  }

  /** One index run and the clients following it. */
  final class Job {
    private final boolean clear;
    /** Started in the background: no client owns it, so none takes it along when it goes. */
    private final boolean background;
    private final Instant startedAt;
    private final CompletableFuture<IndexResult> result = new CompletableFuture<>();
    private volatile IndexProgress.Snapshot progress;
    /** System.nanoTime() when {@link #progress} was set: a long commit sends none for minutes. */
    private volatile long progressNanos;
    private volatile boolean cancelled;

    private Job(boolean clear, boolean background, Instant startedAt) {
      this.clear = clear;
      this.background = background;
      this.startedAt = startedAt;
    }

    /** Completes with the run's counts, or exceptionally with what stopped it. */
    CompletableFuture<IndexResult> result() {
      return result;
    }

    boolean cancelled() {
      return cancelled;
    }


    void progressed(IndexProgress.Snapshot p) {
      progressNanos = System.nanoTime();
      progress = p;
    }

    /**
     * The progress as the protocol shows it; {@code id} and {@code joined} as given. The elapsed time runs
     * on from the last report, so a status taken during a commit of minutes shows the time going by (and
     * the rate falling) instead of the moment the commit began.
     */
    IndexProgressParams describe(Object id, Boolean joined) {
      IndexProgress.Snapshot p = progress;
      double elapsed;
      if (p == null) {
        p = new IndexProgress.Snapshot(IndexProgress.Phase.SCANNING, 0, 0, 0, 0, 0, 0);
        elapsed = 0;
      } else {
        elapsed = p.elapsedSeconds()
            + (p.phase() == IndexProgress.Phase.DONE ? 0 : (System.nanoTime() - progressNanos) / 1e9);
      }
      return new IndexProgressParams(id, p.phase().name().toLowerCase(Locale.ROOT), p.filesScanned(),
          p.filesToIndex(), p.filesDone(), p.chunksToEmbed(), p.chunksEmbedded(), elapsed,
          startedAt.toString(), clear, joined, p.textCommitted());
    }

    /** "since 09:41:07, 120/400 chunks embedded", for messages. */
    String summary() {
      IndexProgress.Snapshot p = progress;
      String since = LocalTime.ofInstant(startedAt, ZoneId.systemDefault()).format(HH_MM_SS);
      return "since " + since + ", " + (p == null ? 0 : p.chunksEmbedded()) + "/" + (p == null ? 0 : p.chunksToEmbed())
          + " chunks embedded";
    }
  }

  /** A request following a job; {@code joined} when another request started it, else it owns the job. */
  record Attachment(Job job, boolean joined) {
    /**
     * The request's client went away. The owner of a foreground run takes the run along (Ctrl+C cancels
     * what it started); a follower, or the client of a background run, just stops following.
     */
    void detach() {
      if (!joined && !job.background && !job.result.isDone()) {
        job.cancelled = true;
        LOG.info("index run cancelled: the client that started it went away");
      }
    }
  }

  /** {@link #attach(boolean, boolean)} in the foreground. */
  Attachment attach(boolean clear) throws RpcException {
    return attach(clear, false);
  }

  /**
   * Starts a run, or joins the one in progress. Every attachment is followed by one {@link
   * Attachment#detach}. A run that was cancelled is never joined: it only rolls back, and a request
   * following it would be answered with its cancellation. The request waits for it to end instead, then
   * starts its own.
   */
  Attachment attach(boolean clear, boolean background) throws RpcException {
    while (true) {
      Job cancelledRun;
      synchronized (lock) {
        Job running = current;
        if (running == null) {
          Job job = new Job(clear, background, clock.instant());
          current = job;
          thread.execute(() -> run(job));
          return new Attachment(job, false);
        }
        if (!running.cancelled) {
          if (clear && !running.clear) {
            throw new RpcException(ErrorCode.INDEXING_RUNNING, "indexing is already running " + running.summary()
                + "; run `cidx index --clear` again when it has finished");
          }
          return new Attachment(running, true);
        }
        cancelledRun = running;
      }
      awaitEnd(cancelledRun);
    }
  }

  /** Waits, without the lock, until a cancelled run has rolled back; {@link #run} clears it from current first. */
  private static void awaitEnd(Job cancelledRun) throws RpcException {
    LOG.info("index request waits for the cancelled run to roll back, then starts its own");
    try {
      cancelledRun.result.handle((run, failure) -> null).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RpcException(ErrorCode.SHUTTING_DOWN, "interrupted while waiting for a cancelled index run to end");
    } catch (ExecutionException e) {
      throw new AssertionError(e); // handle() completes normally
    }
  }

  /**
   * Cancels the run in progress, whoever started it; its clients are answered with the cancellation.
   * Returns it as "since 09:41:07, 120/400 chunks embedded", or null when none was going.
   */
  String cancel() {
    synchronized (lock) {
      if (current == null || current.cancelled || current.result.isDone()) {
        return null;
      }
      current.cancelled = true;
      LOG.info("index run cancelled by index_cancel");
      return current.summary();
    }
  }

  /** The run in progress as "since 09:41:07, 120/400 chunks embedded", or null. */
  String summary() {
    synchronized (lock) {
      return current == null ? null : current.summary();
    }
  }

  /** The run in progress as status shows it, or null. */
  IndexProgressParams status() {
    Job job;
    synchronized (lock) {
      job = current;
    }
    return job == null ? null : job.describe(null, null);
  }

  /**
   * Brings {@code scope} up to date on the writer thread, after the runs already there, and waits for it:
   * the daemon's watch and {@code notify} updates. No client follows it; {@code cancelled} stops it.
   */
  IndexResult update(IndexScope scope, BooleanSupplier cancelled) throws Exception {
    Future<IndexResult> update;
    try {
      update = thread.submit(() -> runWithModel(scope, IndexProgress.NONE, cancelled));
    } catch (RejectedExecutionException e) {
      throw new IndexException("the daemon is stopping", e);
    }
    try {
      return update.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof ModelUnavailable m ? new IndexException(m.getMessage(), m.getCause())
          : e.getCause() instanceof Exception cause ? cause : new IllegalStateException(e.getCause());
    }
  }

  /**
   * Runs the indexer with the config of this moment and the cache's copy of that config's model, borrowed
   * only if a file must be chunked, and gives it back.
   */
  private IndexResult runWithModel(IndexScope scope, IndexProgress progress, BooleanSupplier cancelled)
      throws IOException, IndexException {
    CidxConfig runConfig = config.get();
    String modelName = Embedders.cacheName(runConfig);
    ModelHolder.BorrowedModel[] borrowed = new ModelHolder.BorrowedModel[1];
    Supplier<Embedder> embedder = () -> {
      if (borrowed[0] == null) {
        try {
          borrowed[0] = cache.borrowModel(modelName);
        } catch (SearchException e) {
          throw new ModelUnavailable(e);
        }
      }
      return borrowed[0].model().embedder();
    };
    // Each commit moves the cache's snapshot on in the background; the run ends once queries read its
    // last commit, so a query sent after `cidx index` (or after a watch update) returns sees what it wrote.
    List<CompletableFuture<Void>> refreshes = new ArrayList<>();
    IndexProgress refreshing = new IndexProgress() {
      @Override
      public void update(IndexProgress.Snapshot p) {
        progress.update(p);
      }

      @Override
      public void committed() {
        refreshes.add(cache.refreshAfterCommit());
      }
    };
    try {
      return runner.run(runConfig, scope, embedder, refreshing, cancelled);
    } finally {
      if (borrowed[0] != null) {
        borrowed[0].close();
      }
      if (!refreshes.isEmpty()) {
        awaitInService(refreshes.get(refreshes.size() - 1));
      }
    }
  }

  /**
   * Waits until queries read the run's last commit. The refresh completes even when it fails (it logs),
   * but the wait is bounded all the same: a run that cannot report its end hangs its client, and a
   * refresh still going after this long is better left to finish on its own.
   */
  private static void awaitInService(CompletableFuture<Void> refresh) {
    try {
      refresh.get(REFRESH_WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      LOG.warning("the run's last commit is not in service after " + REFRESH_WAIT.toSeconds()
          + " s; queries read it once its refresh ends");
    } catch (ExecutionException e) {
      LOG.log(Level.WARNING, "refresh after the run failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run(Job job) {
    LOG.info("index run started" + (job.clear ? " (--clear)" : ""));
    IndexResult run = null;
    Throwable failure = null;
    try {
      run = runWithModel(job.clear ? IndexScope.REBUILD : IndexScope.ALL, job::progressed, job::cancelled);
      LOG.info(run.cancelled() ? "index run cancelled after " + run.chunksEmbedded() + " chunks embedded; "
          + "the last commit stays in service"
          : "index run done in " + Math.round(run.seconds() * 10) / 10.0 + " s: " + run.filesIndexed()
              + " files indexed, " + run.chunksEmbedded() + " chunks embedded, " + run.chunksReused() + " reused");
    } catch (ModelUnavailable e) {
      failure = new IndexException(e.getCause().getMessage(), e.getCause());
      LOG.warning("index run failed: " + e.getMessage());
    } catch (IndexException | IOException e) {
      failure = e;
      LOG.warning("index run failed: " + e.getMessage());
    } catch (Throwable t) {
      // The run's thread must outlive any failure: log it and answer the clients.
      failure = t;
      LOG.log(Level.SEVERE, "index run failed", t);
    } finally {
      // Cleared before completing, so a request arriving after the result starts a new run rather than
      // joining a finished one.
      synchronized (lock) {
        if (current == job) {
          current = null;
        }
      }
    }
    if (failure != null) {
      job.result.completeExceptionally(failure);
    } else {
      job.result.complete(run);
    }
  }

  /** Cancels the run in progress (it rolls back) and lets the thread end. A second call does nothing more. */
  @Override
  public void close() {
    synchronized (lock) {
      if (current != null) {
        current.cancelled = true;
      }
    }
    // No interrupt: Lucene closes a channel whose thread is interrupted mid-read; the cancel flag is enough.
    thread.shutdown();
  }

  /** Carries a model that cannot load out of the indexer's embedder supplier. */
  private static final class ModelUnavailable extends RuntimeException {
    ModelUnavailable(SearchException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
