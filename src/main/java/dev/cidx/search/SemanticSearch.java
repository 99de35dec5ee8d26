package dev.cidx.search;

import dev.cidx.embed.Embedder;
import dev.cidx.embed.EmbeddingException;
import dev.cidx.index.ChunkQueries;
import dev.cidx.index.DeltaVectors;
import dev.cidx.index.IndexSnapshot;
import dev.cidx.index.VectorStore;
import dev.cidx.protocol.QueryRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.FixedBitSet;

/**
 * Nearest chunks by meaning. The vectors hold one entry per distinct chunk text; each vector found
 * expands to the chunk documents that share it. A commit's vectors come in two parts (see {@link
 * IndexSnapshot}): the HNSW base, searched through its graph, and a small delta of vectors added since
 * the base was built, scanned exactly. The two are disjoint, so their best matches merge by similarity.
 * The base may still hold vectors of chunks changed or deleted since it was built; those have no live
 * documents and expand to nothing.
 *
 * <p>Filters are applied inside the search, never to a truncated top-k: the filter's Lucene query marks
 * the allowed documents; when few are allowed an exact scan of their vectors (from whichever part holds
 * each) is both faster and exact, otherwise the graph search widens until it has enough allowed chunks or
 * has seen the whole graph, and the delta scan keeps only allowed chunks.
 */
final class SemanticSearch {
  /** Below this many allowed chunks, scoring them all (a few ms) beats widening the graph search. */
  static final int EXACT_SCAN_LIMIT = 4096;

  private final Embedder embedder;
  private final IndexSnapshot snapshot;

  SemanticSearch(Embedder embedder, IndexSnapshot snapshot) {
    this.embedder = embedder;
    this.snapshot = snapshot;
  }

  /** A chunk document and its cosine similarity to the query. */
  record Match(int doc, float similarity) {}

  /** Best first; a stable sort keeps the order of equal matches (a graph's before a delta's). */
  private static final Comparator<Match> BEST_FIRST = Comparator.comparingDouble(Match::similarity).reversed();

  List<Match> search(QueryRequest request, Query filter, int n) throws SearchException {
    float[] query;
    try {
      query = embedder.embedQuery(request.query());
    } catch (EmbeddingException e) {
      throw new SearchException(SearchException.Reason.INTERNAL, e.getMessage(), e); // a provider's one line
    }
    Optional<FixedBitSet> allowed = allowedDocs(filter);
    VectorStore vectors;
    try {
      vectors = snapshot.vectors();
    } catch (IOException e) {
      throw new SearchException(SearchException.Reason.DAMAGED_INDEX,
          "the index is damaged (" + e.getMessage() + "); run `cidx index --clear` to rebuild it", e);
    }
    DeltaVectors delta = snapshot.deltaVectors();
    if (allowed.isPresent() && allowed.get().cardinality() <= EXACT_SCAN_LIMIT) {
      return exact(vectors, delta, query, allowed.get(), n);
    }
    List<Match> found = graph(vectors, delta, query, allowed.orElse(null), n, request.accuracy().ef());
    if (delta.size() == 0) {
      return found;
    }
    List<Match> merged = new ArrayList<>(found);
    merged.addAll(scan(delta, query, allowed.orElse(null), n));
    merged.sort(BEST_FIRST);
    return merged.size() > n ? merged.subList(0, n) : merged;
  }

  private List<Match> graph(VectorStore vectors, DeltaVectors delta, float[] query, FixedBitSet allowed, int n,
      int ef) {
    // The graph explores ef candidates whatever k is, so asking for up to ef of them costs nothing more and
    // leaves spares for entries that expand to no allowed chunk (dead ones, filtered ones) before widening.
    int k = Math.max(Math.max(n, 10), ef);
    while (true) {
      List<VectorStore.Neighbor> neighbors = vectors.nearest(query, k, ef);
      List<Match> out = new ArrayList<>(n);
      for (VectorStore.Neighbor nb : neighbors) {
        if (delta.contains(nb.hash())) {
          continue; // never the case for a base the indexer wrote; the delta's copy is the one scanned
        }
        for (int doc : snapshot.docsWithHash(nb.hash())) {
          if (allowed == null || allowed.get(doc)) {
            out.add(new Match(doc, nb.similarity()));
          }
        }
        if (out.size() >= n) {
          break;
        }
      }
      if (out.size() >= n || neighbors.size() < k || k >= vectors.size()) {
        return out.size() > n ? out.subList(0, n) : out;
      }
      k = Math.min(vectors.size(), k * 4);
    }
  }

  /**
   * Every delta vector scored exactly, then expanded to its allowed chunks best first until there are
   * {@code n}: the scoring is one tight loop over the flat delta, and only the rows that make the answer
   * pay for the look-up of their chunks. Equal similarities keep the rows' order, as the graph's do.
   */
  private List<Match> scan(DeltaVectors delta, float[] query, FixedBitSet allowed, int n) {
    long[] ranked = new long[delta.size()];
    for (int row = 0; row < ranked.length; row++) {
      ranked[row] = (long) descending(delta.similarity(row, query)) << 32 | row;
    }
    Arrays.sort(ranked);
    List<Match> out = new ArrayList<>(n);
    for (int i = 0; i < ranked.length && out.size() < n; i++) {
      int row = (int) ranked[i];
      float similarity = Float.NaN;
      for (int doc : snapshot.docsWithHash(delta.hash(row))) {
        if (allowed == null || allowed.get(doc)) {
          if (Float.isNaN(similarity)) {
            similarity = delta.similarity(row, query);
          }
          out.add(new Match(doc, similarity));
        }
      }
    }
    return out.size() > n ? out.subList(0, n) : out;
  }

  /** An int whose ascending order is {@code similarity}'s descending order (for finite floats). */
  static int descending(float similarity) {
    int bits = Float.floatToIntBits(similarity);
    return ~(bits ^ ((bits >> 31) & 0x7fffffff));
  }

  private List<Match> exact(VectorStore vectors, DeltaVectors delta, float[] query, FixedBitSet allowed, int n) {
    List<Match> all = new ArrayList<>();
    for (int doc = allowed.nextSetBit(0); doc != org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS;
        doc = doc + 1 < allowed.length() ? allowed.nextSetBit(doc + 1) : org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS) {
      long hash = snapshot.hashOf(doc);
      int row = delta.row(hash);
      if (row >= 0) {
        all.add(new Match(doc, delta.similarity(row, query)));
        continue;
      }
      Optional<float[]> v = vectors.vector(hash);
      if (v.isPresent()) {
        all.add(new Match(doc, VectorStore.similarity(query, v.get())));
      }
    }
    all.sort(Comparator.comparingDouble(Match::similarity).reversed().thenComparingInt(Match::doc));
    return all.size() > n ? all.subList(0, n) : all;
  }

  private Optional<FixedBitSet> allowedDocs(Query q) throws SearchException {
    if (q == null) {
      return Optional.empty();
    }
    Query chunks = new BooleanQuery.Builder()
        .add(ChunkQueries.chunks(), BooleanClause.Occur.FILTER)
        .add(q, BooleanClause.Occur.FILTER)
        .build();
    try {
      var searcher = snapshot.searcher();
      FixedBitSet bits = new FixedBitSet(Math.max(1, searcher.getIndexReader().maxDoc()));
      searcher.search(chunks, new org.apache.lucene.search.SimpleCollector() {
        private int base;

        @Override
        protected void doSetNextReader(org.apache.lucene.index.LeafReaderContext context) {
          base = context.docBase;
        }

        @Override
        public void collect(int doc) {
          bits.set(base + doc);
        }

        @Override
        public org.apache.lucene.search.ScoreMode scoreMode() {
          return org.apache.lucene.search.ScoreMode.COMPLETE_NO_SCORES;
        }
      });
      return Optional.of(bits);
    } catch (IOException e) {
      throw new SearchException(SearchException.Reason.DAMAGED_INDEX,
          "the index is damaged (" + e.getMessage() + "); run `cidx index --clear` to rebuild it", e);
    }
  }
}
