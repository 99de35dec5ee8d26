package com.example.photos.upload;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether a failed upload attempt should be tried again, and how many times.
 *
 * <p>Only transient failures are retried: network timeouts, connection resets and the
 * 429/502/503/504 responses the object store returns while it is overloaded. A 4xx such as
 * 400 or 403 means the request itself is wrong, so retrying it only wastes quota.
 */
public final class RetryPolicy {

  /** HTTP status codes that indicate a transient server-side problem. */
  private static final Set<Integer> RETRYABLE_STATUS = Set.of(429, 502, 503, 504);

  private final int maxAttempts;
  private final Duration maxTotalDelay;
  private final BackoffCalculator backoff;

  public RetryPolicy(int maxAttempts, Duration maxTotalDelay, BackoffCalculator backoff) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    this.maxAttempts = maxAttempts;
    this.maxTotalDelay = Objects.requireNonNull(maxTotalDelay, "maxTotalDelay");
    this.backoff = Objects.requireNonNull(backoff, "backoff");
  }

  /** The policy used by the mobile upload endpoint: 5 attempts, at most 30 seconds of waiting. */
  public static RetryPolicy defaultPolicy() {
    return new RetryPolicy(5, Duration.ofSeconds(30),
        new BackoffCalculator(Duration.ofMillis(200), Duration.ofSeconds(8), 2.0));
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * Returns true if {@code failure} on attempt number {@code attempt} (1-based) deserves another try,
   * given that {@code waitedSoFar} has already been spent sleeping between attempts.
   */
  public boolean shouldRetry(int attempt, Throwable failure, Duration waitedSoFar) {
    if (attempt >= maxAttempts) {
      return false;
    }
    if (waitedSoFar.compareTo(maxTotalDelay) >= 0) {
      return false;
    }
    return isTransient(failure);
  }

  /** How long to sleep before attempt {@code attempt + 1}. */
  public Duration delayBeforeNextAttempt(int attempt) {
    return backoff.delayFor(attempt);
  }

  static boolean isTransient(Throwable failure) {
    if (failure instanceof UploadHttpException httpError) {
      return RETRYABLE_STATUS.contains(httpError.statusCode());
    }
    // Timeouts and resets surface as IOExceptions from the HTTP client.
    return failure instanceof SocketTimeoutException || failure instanceof IOException;
  }

  /** Thrown by the storage client when the object store answers with a non-2xx status. */
  public static final class UploadHttpException extends IOException {
    private final int statusCode;

    public UploadHttpException(int statusCode, String message) {
      super("HTTP " + statusCode + ": " + message);
      this.statusCode = statusCode;
    }

    public int statusCode() {
      return statusCode;
    }
  }
}
