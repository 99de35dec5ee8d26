package dev.cidx.daemon;

import dev.cidx.search.QueryService;
import java.io.IOException;

/**
 * Opens the two expensive things the daemon caches, a model and an index, and builds a query service over
 * them. {@link SearchCacheLoader} is the real one (ONNX model, Lucene/HNSW snapshot, {@code Searcher});
 * unit tests pass fakes so they can count loads and hold queries without a model or an index.
 *
 * <p>Threads: the cache calls {@link #loadModel} and {@link #openIndex} concurrently (they load in
 * parallel) but never two loads of the same kind at once; {@link #reopen} runs one at a time per model,
 * possibly beside a load for another.
 */
public interface CacheLoader {

  /** Loads the embedding model named in config.json. Slow (about a second). */
  Model loadModel(String modelName) throws Exception;

  /** Opens the latest committed index; {@link dev.cidx.index.IndexMissingException} when there is none. */
  Index openIndex() throws IOException;

  /**
   * The index of the newest commit, sharing with {@code current} (which stays open) whatever that commit
   * left unchanged; null when nothing was committed since {@code current}. Called off the query path, after
   * the daemon's own commits; the default opens the whole index again.
   */
  default Index reopen(Index current) throws IOException {
    return current.isCurrent() ? null : openIndex();
  }

  /** A query service over a model and an index this loader returned; cheap, owns neither. */
  QueryService searcher(Model model, Index index);

  /** A loaded model; closing it releases its native session. */
  interface Model extends AutoCloseable {
    String name();

    /** The embedder behind this model, which an index run in the daemon shares with the queries. */
    default dev.cidx.embed.Embedder embedder() {
      throw new UnsupportedOperationException("model " + name() + " has no embedder to index with");
    }

    @Override
    void close();
  }

  /** An open index snapshot; closing it releases its readers. */
  interface Index extends AutoCloseable {
    /** False once a newer commit exists on disk (after {@code cidx index}). Cheap: called per query. */
    boolean isCurrent() throws IOException;

    /** What the status shows about this index; fields it cannot tell are null. */
    default IndexInfo info() {
      return IndexInfo.UNKNOWN;
    }

    @Override
    void close() throws IOException;
  }

  /** Size and identity of an open index, as {@code cidx daemon status} shows them. */
  record IndexInfo(Long chunks, Long files, String commit) {
    public static final IndexInfo UNKNOWN = new IndexInfo(null, null, null);
  }
}
