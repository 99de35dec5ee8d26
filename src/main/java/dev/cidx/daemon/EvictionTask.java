package dev.cidx.daemon;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the expiry check every {@code eviction_check_interval_seconds} and acts on its result: drops the
 * cache, or asks the server to stop. It decides nothing itself; the rules do ({@link ExpiryRules}).
 *
 * <p>Each run schedules the next one with the interval then in force, so a changed interval applies
 * after the current wait; {@link #reschedule()} applies it at once (the config reload calls it).
 *
 * <p>Threads: runs on the server's scheduler; {@link #reschedule()} and {@link #cancel()} from any thread.
 */
final class EvictionTask {
  private static final Logger LOG = Logger.getLogger(EvictionTask.class.getName());

  private final ScheduledExecutorService scheduler;
  private final Supplier<Duration> interval;
  private final Expiry expiry;
  private final IndexCache cache;
  private final Consumer<String> recordReason;
  private final Consumer<String> stop;
  /** Guarded by this. */
  private ScheduledFuture<?> next;
  /** Guarded by this. */
  private boolean cancelled;

  EvictionTask(ScheduledExecutorService scheduler, Supplier<Duration> interval, Expiry expiry, IndexCache cache,
      Consumer<String> recordReason, Consumer<String> stop) {
    this.scheduler = scheduler;
    this.interval = interval;
    this.expiry = expiry;
    this.cache = cache;
    this.recordReason = recordReason;
    this.stop = stop;
  }

  synchronized void start() {
    scheduleNext();
  }

  /** Cancels the pending check and schedules one a full (possibly new) interval from now. */
  synchronized void reschedule() {
    if (next != null) {
      next.cancel(false);
    }
    scheduleNext();
  }

  synchronized void cancel() {
    cancelled = true;
    if (next != null) {
      next.cancel(false);
    }
  }

  /** Guarded by this. */
  private void scheduleNext() {
    if (cancelled || scheduler.isShutdown()) {
      return;
    }
    next = scheduler.schedule(this::runAndReschedule, interval.get().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void runAndReschedule() {
    try {
      checkNow();
    } finally {
      synchronized (this) {
        scheduleNext();
      }
    }
  }

  /**
   * One check. Catches everything: a task of a {@code ScheduledExecutorService} that throws is silently
   * never run again, which would leave the daemon running forever with its cache loaded.
   */
  void checkNow() {
    try {
      Expiry.Result result = expiry.check();
      switch (result.action()) {
        case NONE:
          break;
        case DROP_CACHE:
          if (cache.clear(result.reason())) {
            recordReason.accept(result.reason());
          }
          break;
        case STOP:
          LOG.info("expiring: " + result.reason());
          recordReason.accept(result.reason());
          stop.accept(result.reason());
          break;
        default:
          throw new AssertionError(result.action());
      }
    } catch (Throwable t) {
      LOG.log(Level.SEVERE, "expiry check failed; will retry at the next interval", t);
    }
  }
}
