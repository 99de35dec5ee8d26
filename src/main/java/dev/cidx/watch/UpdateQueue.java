package dev.cidx.watch;

import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.index.IndexScope;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Changes waiting to be indexed, and the thread that indexes them: scopes are merged as they arrive and
 * handed to the {@link Updater} once none has arrived for their delay (the debounce), so a burst of saves
 * or a branch switch is one update. A steady stream of changes is still indexed at least every
 * {@link #maxWait(Duration)}. One update runs at a time; changes arriving meanwhile wait for the next.
 *
 * <p>A failed update (another writer holds the index, the disk is full) is retried with its scope after
 * {@link #RETRY_FIRST}, doubling up to {@link #RETRY_MAX}, merged with whatever arrives meanwhile.
 *
 * <p>Threads: {@link #add}, {@link #status} and {@link #close} from any thread; updates run on the
 * queue's own thread, named at construction, which also calls the {@link Listener}.
 */
public final class UpdateQueue implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(UpdateQueue.class.getName());
  static final Duration MAX_WAIT = Duration.ofSeconds(10);
  static final Duration RETRY_FIRST = Duration.ofSeconds(2);
  static final Duration RETRY_MAX = Duration.ofSeconds(60);

  /** Brings one scope up to date; {@code cancelled} turns true when the queue closes. */
  @FunctionalInterface
  public interface Updater {
    IndexResult update(IndexScope scope, BooleanSupplier cancelled) throws Exception;
  }

  /** Hears each update's outcome, on the queue's thread. */
  public interface Listener {
    Listener NONE = new Listener() {};

    default void updated(IndexScope scope, IndexResult run) {}

    default void failed(IndexScope scope, Exception e) {}
  }

  /** Where the queue stands; times are null until the first update. */
  public record Status(int pendingPaths, boolean pendingAll, boolean updating, long updates, long failures,
      Instant lastUpdateAt, IndexResult lastRun, String lastError) {}

  private final Updater updater;
  private final Listener listener;
  private final Thread thread;

  // Guarded by this.
  private IndexScope pending;
  private long dueNanos;
  private long firstPendingNanos;
  private boolean updating;
  /** Pending holds changes never tried yet (not only a retry of a failed update). */
  private boolean pendingUntried;
  private boolean closed;
  private Duration retryDelay = RETRY_FIRST;
  private long updates;
  private long failures;
  private Instant lastUpdateAt;
  private IndexResult lastRun;
  private String lastError;

  public UpdateQueue(String threadName, Updater updater, Listener listener) {
    this.updater = updater;
    this.listener = listener;
    this.thread = new Thread(this::loop, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code scope}, to be indexed once nothing else arrived for {@code delay}. */
  public synchronized void add(IndexScope scope, Duration delay) {
    enqueue(scope, delay, true);
  }

  private synchronized void enqueue(IndexScope scope, Duration delay, boolean untried) {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    if (pending == null) {
      pending = scope;
      firstPendingNanos = now;
      dueNanos = now + delay.toNanos();
    } else {
      pending = pending.plus(scope);
      dueNanos = Math.max(dueNanos, now + delay.toNanos());
    }
    dueNanos = Math.min(dueNanos, firstPendingNanos + maxWait(delay).toNanos());
    pendingUntried |= untried;
    notifyAll();
  }

  /** The longest a change waits while others keep arriving: {@link #MAX_WAIT}, or three debounces. */
  static Duration maxWait(Duration delay) {
    Duration three = delay.multipliedBy(3);
    return three.compareTo(MAX_WAIT) > 0 ? three : MAX_WAIT;
  }

  public synchronized Status status() {
    return new Status(pending == null ? 0 : pending.size(), pending != null && pending.isWholeRepository(), updating,
        updates, failures, lastUpdateAt, lastRun, lastError);
  }

  /** True while an update runs. */
  public synchronized boolean updating() {
    return updating;
  }

  /**
   * True while changes wait that were never tried: accepted, but not yet indexed. A retry of a failed
   * update does not count, so an update that keeps failing is not mistaken for work in hand.
   */
  public synchronized boolean hasUntriedChanges() {
    return pendingUntried;
  }

  /** True when nothing waits and no update runs. */
  public synchronized boolean idle() {
    return pending == null && !updating;
  }

  /** Drops what waits, cancels the running update (it rolls back) and lets the thread end. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      pending = null;
      pendingUntried = false;
      notifyAll();
    }
  }

  /** Waits for the thread to end, for at most {@code timeout}; true when it has. */
  public boolean awaitClosed(Duration timeout) throws InterruptedException {
    thread.join(Math.max(1, timeout.toMillis()));
    return !thread.isAlive();
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  private void loop() {
    while (true) {
      IndexScope scope;
      synchronized (this) {
        try {
          while (!closed && (pending == null || System.nanoTime() < dueNanos)) {
            if (pending == null) {
              wait();
            } else {
              long waitNanos = dueNanos - System.nanoTime();
              wait(Math.max(1, waitNanos / 1_000_000), 0);
            }
          }
        } catch (InterruptedException e) {
          return;
        }
        if (closed) {
          return;
        }
        scope = pending;
        pending = null;
        pendingUntried = false;
        updating = true;
      }
      update(scope);
    }
  }

  private void update(IndexScope scope) {
    try {
      IndexResult run = updater.update(scope, this::isClosed);
      synchronized (this) {
        updating = false;
        retryDelay = RETRY_FIRST;
        if (run.committed()) {
          updates++;
          lastUpdateAt = Instant.now();
          lastRun = run;
          lastError = null;
        }
      }
      listener.updated(scope, run);
    } catch (Exception e) {
      Duration retry;
      synchronized (this) {
        updating = false;
        failures++;
        lastError = e.getMessage();
        retry = retryDelay;
        retryDelay = retryDelay.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : retryDelay.multipliedBy(2);
      }
      LOG.log(Level.FINE, "update failed", e);
      listener.failed(scope, e);
      enqueue(scope, retry, false);
    }
  }
}
