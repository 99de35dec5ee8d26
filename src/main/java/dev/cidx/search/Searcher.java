package dev.cidx.search;

import dev.cidx.embed.Embedder;
import dev.cidx.index.IndexSnapshot;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;

/**
 * Runs semantic, full-text and hybrid queries over one {@link IndexSnapshot} with one {@link Embedder}.
 * Cheap to construct, thread-safe, owns neither argument. (Stub: the implementation lands next.)
 */
public final class Searcher implements QueryService {
  private final Embedder embedder;
  private final IndexSnapshot snapshot;

  public Searcher(Embedder embedder, IndexSnapshot snapshot) {
    this.embedder = embedder;
    this.snapshot = snapshot;
  }

  @Override
  public QueryResult query(QueryRequest request) throws SearchException {
    throw new UnsupportedOperationException("not yet");
  }
}
