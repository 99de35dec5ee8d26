package dev.cidx.daemon;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/** Counters and recent query latencies for the status. Thread-safe. */
final class Metrics {
  /** How many recent queries the percentiles cover. */
  static final int WINDOW = 1024;

  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong queries = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  /** Ring of the last WINDOW query durations in ms. Guarded by this. */
  private final double[] latencies = new double[WINDOW];
  /** Guarded by this. */
  private long recorded;

  void request() {
    requests.incrementAndGet();
  }

  void error() {
    errors.incrementAndGet();
  }

  synchronized void query(double millis) {
    queries.incrementAndGet();
    latencies[(int) (recorded % WINDOW)] = millis;
    recorded++;
  }

  long requests() {
    return requests.get();
  }

  long queries() {
    return queries.get();
  }

  long errors() {
    return errors.get();
  }

  /** The {@code p}-th percentile (0-100, nearest rank) of recent query times, or null before any query. */
  synchronized Double percentile(double p) {
    int n = (int) Math.min(recorded, WINDOW);
    if (n == 0) {
      return null;
    }
    double[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * n);
    return sorted[Math.max(0, Math.min(n - 1, rank - 1))];
  }
}
