package dev.cidx.cli;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedders;
import dev.cidx.embed.LazyEmbedder;
import dev.cidx.index.IndexDamagedException;
import dev.cidx.index.IndexMissingException;
import dev.cidx.index.IndexSnapshot;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.SearchMode;
import dev.cidx.search.QueryService;
import dev.cidx.search.SearchException;
import dev.cidx.search.Searcher;
import java.io.IOException;

/**
 * Answers one query without a daemon: opens the index and (unless the query is full-text only) the
 * model, in parallel, queries, and closes both. This is the cost the daemon exists to avoid.
 */
final class StandaloneQueries implements QueryService {
  private final RepoPaths repo;
  private final CidxConfig config;

  StandaloneQueries(RepoPaths repo, CidxConfig config) {
    this.repo = repo;
    this.config = config;
  }

  @Override
  public QueryResult query(QueryRequest request) throws SearchException {
    LazyEmbedder lazy;
    try {
      lazy = Embedders.lazy(config);
    } catch (IllegalArgumentException e) {
      throw new SearchException(SearchException.Reason.BAD_QUERY, "config.json: " + e.getMessage());
    }
    try (LazyEmbedder embedder = lazy) {
      if (request.mode() != SearchMode.FTS) {
        embedder.preload();
      }
      try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
        return new Searcher(embedder, snapshot).query(request);
      }
    } catch (IndexMissingException e) {
      throw new SearchException(SearchException.Reason.NO_INDEX, e.getMessage(), e);
    } catch (IndexDamagedException e) {
      throw new SearchException(SearchException.Reason.DAMAGED_INDEX, e.getMessage(), e);
    } catch (IOException e) {
      throw new SearchException(SearchException.Reason.DAMAGED_INDEX,
          "cannot read the index (" + e.getMessage() + "); run `cidx index --clear` to rebuild it", e);
    }
  }
}
