package com.example.photos.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Per-client request throttling using the token bucket algorithm.
 *
 * <p>Each client (keyed by user id, or by IP for anonymous requests) owns a bucket holding up to
 * {@code capacity} tokens. Tokens are added continuously at {@code refillPerSecond}; each request
 * takes one. A client may therefore burst up to {@code capacity} requests and then sustain the
 * refill rate. Requests that find the bucket empty are answered with 429 and a Retry-After header.
 *
 * <p>Buckets are refilled lazily when touched, so idle clients cost nothing but a map entry;
 * {@link #evictIdle} drops entries for clients that have been quiet long enough to be full again.
 */
public final class RateLimiter {

  private final double capacity;
  private final double refillPerNano;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(int capacity, double refillPerSecond) {
    this(capacity, refillPerSecond, System::nanoTime);
  }

  RateLimiter(int capacity, double refillPerSecond, LongSupplier nanoClock) {
    if (capacity < 1 || refillPerSecond <= 0) {
      throw new IllegalArgumentException("capacity and refill rate must be positive");
    }
    this.capacity = capacity;
    this.refillPerNano = refillPerSecond / TimeUnit.SECONDS.toNanos(1);
    this.nanoClock = nanoClock;
  }

  /** Outcome of {@link #tryAcquire}: whether to serve the request, and if not, when to come back. */
  public record Decision(boolean allowed, long retryAfterMillis, int remaining) {}

  /** Takes one token from {@code clientKey}'s bucket if available. Thread-safe. */
  public Decision tryAcquire(String clientKey) {
    return tryAcquire(clientKey, 1);
  }

  /** Takes {@code cost} tokens at once; large uploads are charged more than a metadata read. */
  public Decision tryAcquire(String clientKey, int cost) {
    if (cost > capacity) {
      throw new IllegalArgumentException("cost " + cost + " can never be satisfied by capacity " + capacity);
    }
    Bucket bucket = buckets.computeIfAbsent(clientKey, k -> new Bucket(capacity, nanoClock.getAsLong()));
    synchronized (bucket) {
      long now = nanoClock.getAsLong();
      bucket.refill(now, capacity, refillPerNano);
      if (bucket.tokens >= cost) {
        bucket.tokens -= cost;
        return new Decision(true, 0, (int) Math.floor(bucket.tokens));
      }
      double missing = cost - bucket.tokens;
      long waitNanos = (long) Math.ceil(missing / refillPerNano);
      return new Decision(false, TimeUnit.NANOSECONDS.toMillis(waitNanos) + 1, 0);
    }
  }

  /** Removes buckets that would be completely full by now; call periodically from a scheduler. */
  public int evictIdle() {
    long now = nanoClock.getAsLong();
    long fullAfterNanos = (long) (capacity / refillPerNano);
    int before = buckets.size();
    buckets.entrySet().removeIf(e -> {
      synchronized (e.getValue()) {
        return now - e.getValue().lastRefillNanos >= fullAfterNanos;
      }
    });
    return before - buckets.size();
  }

  int trackedClients() {
    return buckets.size();
  }

  private static final class Bucket {
    double tokens;
    long lastRefillNanos;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.lastRefillNanos = now;
    }

    void refill(long now, double capacity, double refillPerNano) {
      long elapsed = now - lastRefillNanos;
      if (elapsed > 0) {
        tokens = Math.min(capacity, tokens + elapsed * refillPerNano);
        lastRefillNanos = now;
      }
    }
  }
}
