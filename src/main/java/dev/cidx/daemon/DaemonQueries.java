package dev.cidx.daemon;

import dev.cidx.config.DaemonSettings;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.search.QueryService;
import dev.cidx.search.SearchException;
import java.util.function.Supplier;

/**
 * The query service the daemon answers with, both for the {@code query} method and for command lines
 * forwarded with {@code run}: the cache's answer, marked {@code via: "daemon"}, its time measured here
 * (cache load included, so a cold query shows what it cost) and recorded for the status's percentiles.
 * Both paths go through this one class so they cannot drift apart again: forwarded queries used to reach
 * the cache directly and printed "standalone". It also gives each query its time budget
 * ({@code daemon.query_timeout_seconds}, read per query so a config change applies at once): a query
 * holds a read lock and a connection thread, and must not hold them for ever.
 *
 * <p>Thread-safe: the cache and the metrics are.
 */
final class DaemonQueries implements QueryService {
  private final QueryService cache;
  private final Metrics metrics;
  private final Supplier<DaemonSettings> settings;

  DaemonQueries(QueryService cache, Metrics metrics, Supplier<DaemonSettings> settings) {
    this.cache = cache;
    this.metrics = metrics;
    this.settings = settings;
  }

  @Override
  public QueryResult query(QueryRequest request) throws SearchException {
    long start = System.nanoTime();
    QueryResult result = cache.query(request, settings.get().queryTimeout());
    double ms = (System.nanoTime() - start) / 1e6;
    metrics.query(ms);
    return result.withVia(QueryResult.VIA_DAEMON, ms);
  }
}
