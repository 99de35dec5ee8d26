package dev.cidx.daemon;

import dev.cidx.index.IndexMissingException;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.search.QueryService;
import dev.cidx.search.SearchException;
import java.io.IOException;
import java.time.Duration;

/**
 * The query path: answers a query from the {@link IndexCache}'s current snapshot and model, loading the
 * cache when nothing is loaded and refreshing a snapshot a commit by another process left stale. Errors
 * reading the index come out as {@link SearchException}s ({@link IndexErrors}). {@link DaemonQueries}
 * wraps it with the daemon's time budget and metrics.
 *
 * <p>Threads: any number of queries at once. Each holds the cache's read lock
 * ({@link IndexCache#readEntry}) and a reference to its snapshot while it searches, and releases both
 * however it ends; it never loads or refreshes while holding them.
 */
final class SnapshotQueries implements QueryService {
  private final IndexCache cache;

  SnapshotQueries(IndexCache cache) {
    this.cache = cache;
  }

  @Override
  public QueryResult query(QueryRequest request) throws SearchException {
    return query(request, null);
  }

  /** The query with a time budget for its search; the read lock and the snapshot are released however it ends. */
  @Override
  public QueryResult query(QueryRequest request, Duration budget) throws SearchException {
    // A query that finds nothing loaded loads it; one that finds its snapshot stale with no refresh on the
    // way (a commit by another process) refreshes it. A second refresh in a row is possible (a commit lands
    // during the first); a third means the index keeps changing.
    for (int attempt = 0; ; attempt++) {
      SnapshotManager seen;
      try (IndexCache.Reading reading = cache.readEntry()) {
        seen = reading.snapshots();
        if (seen != null) {
          SnapshotManager.Snapshot s = seen.acquire();
          try {
            if (s != null && (attempt == 2 || seen.refreshing() || isCurrent(s))) {
              return s.searcher().query(request, budget);
            }
          } finally {
            if (s != null) {
              s.release();
            }
          }
        }
      }
      if (seen == null) {
        cache.loadIfEmpty();
      } else {
        seen.refreshIfStale();
      }
    }
  }

  private static boolean isCurrent(SnapshotManager.Snapshot s) throws SearchException {
    try {
      return s.index().isCurrent();
    } catch (IndexMissingException ex) {
      throw IndexErrors.missing(ex);
    } catch (IOException ex) {
      throw IndexErrors.damaged("read", ex);
    }
  }
}
