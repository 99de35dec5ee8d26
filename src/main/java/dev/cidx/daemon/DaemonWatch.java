package dev.cidx.daemon;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.index.FileScanner;
import dev.cidx.index.IndexScope;
import dev.cidx.protocol.ErrorCode;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.protocol.Messages.NotifyResult;
import dev.cidx.protocol.Messages.WatchStartResult;
import dev.cidx.protocol.Messages.WatchStatus;
import dev.cidx.protocol.Messages.WatchStopResult;
import dev.cidx.watch.TreeWatcher;
import dev.cidx.watch.UpdateQueue;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The daemon's watch ({@code watch_start}, {@code watch_stop}) and {@code notify}: both feed one
 * {@link UpdateQueue} whose updates run on the daemon's one writer ({@link IndexJobs#update}), after any
 * {@code cidx index} run in progress. A watch counts as activity: the daemon is not idle while it watches.
 *
 * <p>Threads: the methods are called on connection threads and synchronize on this; the watcher and
 * the queue have a thread each.
 */
final class DaemonWatch implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DaemonWatch.class.getName());
  /** Gathers the notifications of one save or one hook: editors may send several in a row. */
  static final Duration NOTIFY_DELAY = Duration.ofMillis(200);

  private final RepoPaths repo;
  private final Supplier<CidxConfig> config;
  private final Clock clock;
  private final UpdateQueue queue;
  private final Duration notifyDelay;

  // Guarded by this.
  private TreeWatcher watcher;
  private Instant since;
  private Duration debounce;

  /** @param notifyDelay how long a {@code notify} waits for more before its update ({@link #NOTIFY_DELAY}) */
  DaemonWatch(RepoPaths repo, Supplier<CidxConfig> config, IndexJobs jobs, Clock clock, Duration notifyDelay) {
    this.notifyDelay = notifyDelay;
    this.repo = repo;
    this.config = config;
    this.clock = clock;
    this.queue = new UpdateQueue("cidx-updates", jobs::update, new UpdateQueue.Listener() {
      @Override
      public void updated(IndexScope scope, IndexResult run) {
        if (run.committed()) {
          LOG.info("updated " + scope.describe() + " in " + Math.round(run.seconds() * 1000) + " ms: "
              + run.filesIndexed() + " files indexed, " + run.filesDeleted() + " deleted, " + run.chunksEmbedded()
              + " chunks embedded, " + run.chunksReused() + " reused");
        }
      }

      @Override
      public void failed(IndexScope scope, Exception e) {
        LOG.warning("update of " + scope.describe() + " failed (retried): " + e.getMessage());
      }
    });
  }

  /** Starts watching with this debounce, or changes the debounce of the watch that runs. */
  synchronized WatchStartResult start(Duration debounce) throws RpcException {
    this.debounce = debounce;
    if (watcher != null) {
      LOG.info("watch: debounce now " + debounce.toMillis() + " ms");
      return new WatchStartResult(false, status());
    }
    FileScanner scanner = new FileScanner(repo, config.get());
    try {
      watcher = TreeWatcher.start(repo.root(), TreeWatcher.Filter.of(scanner), new TreeWatcher.Listener() {
        @Override
        public void changed(IndexScope scope) {
          queue.add(scope, currentDebounce());
        }

        @Override
        public void failed(String message) {
          LOG.warning("watch: " + message);
        }
      });
    } catch (IOException e) {
      throw new RpcException(ErrorCode.INDEX_FAILED, e.getMessage());
    }
    since = clock.instant();
    // What changed while nobody watched: brought up to date once, at once.
    queue.add(IndexScope.ALL, Duration.ZERO);
    LOG.info("watch started: " + watcher.directoryCount() + " directories, debounce " + debounce.toMillis() + " ms");
    return new WatchStartResult(true, status());
  }

  /**
   * config.json changed: a running watch starts again with the new rules (extensions, exclude_dirs), and
   * the index is brought up to date under them.
   */
  synchronized void configChanged() {
    if (watcher == null) {
      return;
    }
    Instant started = since;
    watcher.close();
    watcher = null;
    try {
      start(debounce);
      since = started;
      LOG.info("watch restarted with the new config.json");
    } catch (RpcException e) {
      LOG.warning("watch stopped: it cannot restart with the new config.json: " + e.getMessage());
    }
  }

  synchronized WatchStopResult stop() {
    if (watcher == null) {
      return new WatchStopResult(false, status());
    }
    WatchStatus before = status();
    watcher.close();
    watcher = null;
    since = null;
    LOG.info("watch stopped after " + before.updates() + " updates");
    return new WatchStopResult(true, before);
  }

  /** Queues the paths (relative, or absolute below the root) for a background update; none: everything. */
  NotifyResult changed(List<String> paths) {
    if (paths.isEmpty()) {
      queue.add(IndexScope.ALL, notifyDelay);
      return new NotifyResult(0, 0);
    }
    List<String> relative = new ArrayList<>(paths.size());
    Path root = repo.root().toAbsolutePath().normalize();
    Path realRoot = realPath(root);
    for (String path : paths) {
      try {
        Path p = root.resolve(path).normalize();
        Path base = p.startsWith(root) ? root : p.startsWith(realRoot) ? realRoot : null; // editors send real paths
        if (base != null && p.equals(base)) {
          queue.add(IndexScope.ALL, notifyDelay);
          return new NotifyResult(paths.size(), 0);
        } else if (base != null) {
          relative.add(base.relativize(p).toString().replace('\\', '/'));
        }
      } catch (InvalidPathException e) {
        // not a path on this system: counted as ignored
      }
    }
    if (!relative.isEmpty()) {
      queue.add(IndexScope.of(relative), notifyDelay);
    }
    return new NotifyResult(relative.size(), paths.size() - relative.size());
  }

  private static Path realPath(Path root) {
    try {
      return root.toRealPath();
    } catch (IOException e) {
      return root;
    }
  }

  /**
   * Whether a watch or an update runs, or accepted changes wait for their first update: the daemon is
   * busy, not idle, so it does not expire with paths it answered {@code notify} for still unindexed. An
   * update that only waits to be retried after a failure does not keep the daemon alive: one that keeps
   * failing would otherwise keep it up for ever.
   */
  synchronized boolean busy() {
    return watcher != null || queue.updating() || queue.hasUntriedChanges();
  }

  synchronized boolean watching() {
    return watcher != null;
  }

  /** True when no update waits or runs (tests and benchmarks wait for this). */
  boolean settled() {
    return queue.idle();
  }

  synchronized WatchStatus status() {
    UpdateQueue.Status q = queue.status();
    IndexResult last = q.lastRun() == null ? null : q.lastRun().withVia(IndexResult.VIA_DAEMON);
    return new WatchStatus(watcher != null, since == null ? null : since.toString(),
        watcher == null ? null : debounce.toMillis() / 1000.0, watcher == null ? null : watcher.directoryCount(),
        q.pendingPaths(), q.pendingAll(), q.updating(), q.updates(), q.failures(),
        q.lastUpdateAt() == null ? null : q.lastUpdateAt().toString(), last, q.lastError());
  }

  private synchronized Duration currentDebounce() {
    return debounce == null ? Duration.ZERO : debounce;
  }

  /** Stops watching and cancels a running update (it rolls back). */
  @Override
  public synchronized void close() {
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
    queue.close();
  }
}
