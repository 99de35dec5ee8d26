package dev.cidx.daemon;

import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.search.QueryService;
import dev.cidx.search.SearchException;

/**
 * The query service the daemon answers with, both for the {@code query} method and for command lines
 * forwarded with {@code run}: the cache's answer, marked {@code via: "daemon"}, its time measured here
 * (cache load included, so a cold query shows what it cost) and recorded for the status's percentiles.
 * Both paths go through this one class so they cannot drift apart again: forwarded queries used to reach
 * the cache directly and printed "standalone".
 *
 * <p>Thread-safe: the cache and the metrics are.
 */
final class DaemonQueries implements QueryService {
  private final QueryService cache;
  private final Metrics metrics;

  DaemonQueries(QueryService cache, Metrics metrics) {
    this.cache = cache;
    this.metrics = metrics;
  }

  @Override
  public QueryResult query(QueryRequest request) throws SearchException {
    long start = System.nanoTime();
    QueryResult result = cache.query(request);
    double ms = (System.nanoTime() - start) / 1e6;
    metrics.query(ms);
    return result.withVia(QueryResult.VIA_DAEMON, ms);
  }
}
