package dev.cidx.daemon;

import java.util.Objects;

/**
 * One reason a daemon might drop its cache or stop, checked periodically by the {@link EvictionTask}.
 * Each reason is its own small class; {@link AnyExpiry} combines them and {@link ExpiryRules} lists them.
 */
@FunctionalInterface
interface Expiry {

  Result check();

  /** What to do, from least to most drastic. The order matters: {@link AnyExpiry} picks the highest. */
  enum Action {
    /** Nothing to do. */
    NONE,
    /** Release the cached model and indexes but keep serving. */
    DROP_CACHE,
    /** Drop the cache, then stop gracefully: finish requests, remove the socket, release the lock. */
    STOP
  }

  /** An action and the reason for it, as the log and {@code cidx daemon status} show it. */
  record Result(Action action, String reason) {
    static final Result NONE = new Result(Action.NONE, "");

    public Result {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(reason, "reason");
    }
  }
}
