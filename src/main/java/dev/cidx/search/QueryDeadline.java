package dev.cidx.search;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * When a query must give up. The daemon gives every query a budget ({@code daemon.query_timeout_seconds});
 * the searchers check it between phases and per hit, and Lucene checks it while scoring, so a query that
 * runs too long stops with {@link SearchException.Reason#TIMEOUT} and releases its read lock instead of
 * holding the daemon. The clock starts when the search starts: loading the model and the index is not
 * the query's doing and is bounded on its own.
 *
 * <p>Immutable and thread-safe: both halves of a hybrid query check the same deadline.
 */
final class QueryDeadline {
  /** No limit: the standalone path, which holds nothing anyone else waits for. */
  static final QueryDeadline NONE = new QueryDeadline(null, System::nanoTime);

  private final Duration budget;
  private final LongSupplier nanoTime;
  private final long endNanos;

  QueryDeadline(Duration budget, LongSupplier nanoTime) {
    this.budget = budget;
    this.nanoTime = nanoTime;
    this.endNanos = budget == null ? 0 : nanoTime.getAsLong() + budget.toNanos();
  }

  /** A deadline {@code budget} from now; null means {@link #NONE}. */
  static QueryDeadline after(Duration budget) {
    if (budget == null) {
      return NONE;
    }
    if (budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException("budget (" + budget + ") must be positive");
    }
    return new QueryDeadline(budget, System::nanoTime);
  }

  /** A deadline {@code budget} from now on {@code nanoTime}'s clock, for tests. */
  static QueryDeadline after(Duration budget, LongSupplier nanoTime) {
    return new QueryDeadline(Objects.requireNonNull(budget, "budget"), nanoTime);
  }

  boolean expired() {
    return budget != null && nanoTime.getAsLong() - endNanos >= 0;
  }

  /** Throws the timeout error once the deadline has passed. */
  void check() throws SearchException {
    if (expired()) {
      throw timedOut();
    }
  }

  /** The error a query past its deadline fails with: one line, with what to do about it. */
  SearchException timedOut() {
    return new SearchException(SearchException.Reason.TIMEOUT, "the query took longer than " + seconds()
        + " s and was cancelled; narrow it or raise daemon.query_timeout_seconds");
  }

  private String seconds() {
    double s = budget.toMillis() / 1000.0;
    return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
  }
}
