package dev.cidx.search;

import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import java.time.Duration;

/**
 * Answers queries. The daemon implements it over its cached indexes, the standalone path by opening the
 * indexes for one query; the query command sees only this interface, so both paths run the same code.
 */
@FunctionalInterface
public interface QueryService {
  QueryResult query(QueryRequest request) throws SearchException;

  /**
   * A query that fails with {@link SearchException.Reason#TIMEOUT} once its search has run for
   * {@code budget} (see {@link QueryDeadline}); null for no limit. Services that cannot stop a query run
   * it without one.
   */
  default QueryResult query(QueryRequest request, Duration budget) throws SearchException {
    return query(request);
  }
}
