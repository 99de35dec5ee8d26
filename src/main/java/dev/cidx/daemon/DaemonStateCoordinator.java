package dev.cidx.daemon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The daemon's lifecycle state, the requests in flight and the time of the last activity, all under one
 * lock; every change goes through {@link #setState} (or the request counters), which wakes the waiters.
 *
 * <p>It knows nothing about sockets, caches or expiry rules: the server reports requests to it, the
 * expiry rules read it, and stop waits on it.
 *
 * <p><b>What counts as activity.</b> {@code query}, {@code run}, {@code index}, {@code notify} and {@code clear_cache}
 * reset the idle clock and are in flight while they run (an index run for as long as it writes) (the daemon is never idle then, and stop waits for them);
 * {@code shutdown} is in flight but no activity. {@code hello}, {@code ping} and {@code status} only
 * observe: they are neither, so a monitoring loop does not keep an unused daemon alive and a status
 * shows the daemon as it is between requests, not busy answering the status itself.
 */
final class DaemonStateCoordinator {

  /** Lifecycle states in the order a daemon passes through them. */
  enum State { STARTING, IDLE, BUSY, STOPPING, STOPPED }

  /** A consistent view of the coordinator at one instant. */
  record Snapshot(State state, int inFlight, Instant lastActivity, Instant startedAt, String stopReason) {}

  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Instant startedAt;
  /** Guarded by lock. */
  private State state = State.STARTING;
  /** Guarded by lock. */
  private int inFlight;
  /** Guarded by lock. */
  private Instant lastActivity;
  /** Guarded by lock. */
  private String stopReason;

  DaemonStateCoordinator(Clock clock) {
    this.clock = clock;
    this.startedAt = clock.instant();
    this.lastActivity = startedAt;
  }

  Clock clock() {
    return clock;
  }

  /** STARTING → IDLE: the socket is bound and served. */
  void ready() {
    lock.lock();
    try {
      if (state == State.STARTING) {
        lastActivity = clock.instant();
        setState(State.IDLE);
      }
    } finally {
      lock.unlock();
    }
  }

  /** False once the daemon is stopping: even observing requests are then refused. */
  boolean acceptsRequests() {
    lock.lock();
    try {
      return state != State.STOPPING && state != State.STOPPED;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Registers a request; false when the daemon is stopping and takes no new work. Every true must be
   * followed by one {@link #endRequest}.
   */
  boolean beginRequest(boolean activity) {
    lock.lock();
    try {
      switch (state) {
        case STOPPING, STOPPED:
          return false;
        case STARTING, IDLE, BUSY:
          inFlight++;
          if (activity) {
            lastActivity = clock.instant();
          }
          if (state == State.IDLE) {
            setState(State.BUSY);
          }
          return true;
        default:
          throw new AssertionError(state);
      }
    } finally {
      lock.unlock();
    }
  }

  void endRequest(boolean activity) {
    lock.lock();
    try {
      if (inFlight == 0) {
        throw new IllegalStateException("endRequest without beginRequest");
      }
      inFlight--;
      if (activity) {
        lastActivity = clock.instant();
      }
      if (inFlight == 0 && state == State.BUSY) {
        setState(State.IDLE);
      } else {
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Moves to STOPPING with the reason; false if the daemon was already stopping (the first reason wins). */
  boolean beginStop(String reason) {
    lock.lock();
    try {
      switch (state) {
        case STOPPING, STOPPED:
          return false;
        case STARTING, IDLE, BUSY:
          stopReason = reason;
          setState(State.STOPPING);
          return true;
        default:
          throw new AssertionError(state);
      }
    } finally {
      lock.unlock();
    }
  }

  void stopped() {
    lock.lock();
    try {
      setState(State.STOPPED);
    } finally {
      lock.unlock();
    }
  }

  /** Waits until no request is in flight; false if the timeout passed first. */
  boolean awaitNoRequests(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (inFlight > 0) {
        if (nanos <= 0) {
          return false;
        }
        nanos = changed.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the daemon has stopped; false if the timeout passed first. */
  boolean awaitStopped(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (state != State.STOPPED) {
        if (nanos <= 0) {
          return false;
        }
        nanos = changed.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  void awaitStopped() throws InterruptedException {
    lock.lock();
    try {
      while (state != State.STOPPED) {
        changed.await(1, TimeUnit.SECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  /** How long the daemon has been without requests; zero while one is in flight. */
  Duration idleFor() {
    lock.lock();
    try {
      if (inFlight > 0) {
        return Duration.ZERO;
      }
      Duration idle = Duration.between(lastActivity, clock.instant());
      return idle.isNegative() ? Duration.ZERO : idle;
    } finally {
      lock.unlock();
    }
  }

  Snapshot snapshot() {
    lock.lock();
    try {
      return new Snapshot(state, inFlight, lastActivity, startedAt, stopReason);
    } finally {
      lock.unlock();
    }
  }

  State state() {
    lock.lock();
    try {
      return state;
    } finally {
      lock.unlock();
    }
  }

  /** The one place the state changes. Caller holds lock. */
  private void setState(State next) {
    state = next;
    changed.signalAll();
  }
}
