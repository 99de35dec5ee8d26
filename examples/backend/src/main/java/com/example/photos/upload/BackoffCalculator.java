package com.example.photos.upload;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with "full jitter".
 *
 * <p>The n-th retry waits a random duration between zero and {@code min(cap, base * multiplier^(n-1))}.
 * Randomising the whole interval (rather than adding a small jitter on top) spreads out clients that
 * all failed at the same moment, e.g. after a storage outage, so they do not retry in lock-step and
 * knock the service over again (the "thundering herd").
 *
 * <p>See "Exponential Backoff And Jitter", AWS Architecture Blog, 2015.
 */
public final class BackoffCalculator {

  private final Duration base;
  private final Duration cap;
  private final double multiplier;
  private final DoubleSupplier random;

  public BackoffCalculator(Duration base, Duration cap, double multiplier) {
    this(base, cap, multiplier, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** Visible for tests: {@code random} must return values in [0, 1). */
  BackoffCalculator(Duration base, Duration cap, double multiplier, DoubleSupplier random) {
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("base delay must be positive");
    }
    if (cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("cap must be >= base");
    }
    if (multiplier < 1.0) {
      throw new IllegalArgumentException("multiplier must be >= 1.0");
    }
    this.base = base;
    this.cap = cap;
    this.multiplier = multiplier;
    this.random = random;
  }

  /**
   * The delay before retry number {@code attempt} (1 = first retry).
   *
   * @return a duration in [0, exponentialCeiling(attempt)]
   */
  public Duration delayFor(int attempt) {
    long ceilingMillis = exponentialCeiling(attempt).toMillis();
    long jittered = (long) (random.getAsDouble() * (ceilingMillis + 1));
    return Duration.ofMillis(jittered);
  }

  /** The upper bound before jitter: {@code base * multiplier^(attempt-1)}, clamped to the cap. */
  Duration exponentialCeiling(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt is 1-based, was " + attempt);
    }
    double millis = base.toMillis() * Math.pow(multiplier, attempt - 1);
    // Math.pow overflows to Infinity long before a long would; clamp before converting.
    if (Double.isInfinite(millis) || millis > cap.toMillis()) {
      return cap;
    }
    return Duration.ofMillis((long) millis);
  }
}
