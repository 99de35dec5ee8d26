package dev.cidx.daemon;

import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedder;
import dev.cidx.index.IndexSnapshot;
import dev.cidx.search.QueryService;
import dev.cidx.search.SearchException;
import dev.cidx.search.Searcher;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The production {@link CacheLoader}: an {@link Embedder} for the configured model and an
 * {@link IndexSnapshot} of the repository, searched by a {@link Searcher}.
 *
 * <p>The embedder comes from a function of its cache name ({@code Embedders.cacheName}) so that this
 * package need not know how config.json chooses a provider; {@code cli.DaemonMain} passes one.
 */
public final class SearchCacheLoader implements CacheLoader {
  private static final Logger LOG = Logger.getLogger(SearchCacheLoader.class.getName());
  private final RepoPaths repo;
  private final Function<String, Embedder> openEmbedder;

  public SearchCacheLoader(RepoPaths repo, Function<String, Embedder> openEmbedder) {
    this.repo = Objects.requireNonNull(repo, "repo");
    this.openEmbedder = Objects.requireNonNull(openEmbedder, "openEmbedder");
  }

  @Override
  public Model loadModel(String modelName) {
    long start = System.nanoTime();
    Embedder embedder = openEmbedder.apply(modelName);
    LOG.info("model " + modelName + " opened in " + Math.round((System.nanoTime() - start) / 1e6) + " ms");
    return new LoadedModel(modelName, embedder);
  }

  @Override
  public Index openIndex() throws IOException {
    IndexSnapshot snapshot = IndexSnapshot.open(repo, SearchCacheLoader::onItsOwnThread);
    boolean success = false;
    try {
      snapshot.vectors(); // read now (beside the tables, since the open), so no query ever waits for them
      LOG.info("index opened: " + snapshot.openTimes());
      warmUp(snapshot);
      success = true;
      return new LoadedIndex(snapshot);
    } finally {
      if (!success) {
        snapshot.close();
      }
    }
  }

  private static void onItsOwnThread(Runnable task) {
    Thread t = new Thread(task, "cidx-base-reader");
    t.setDaemon(true);
    t.start();
  }

  /** Runs one full-text query while the model loads beside it, so the first real query finds Lucene warm. */
  private static void warmUp(IndexSnapshot snapshot) {
    try {
      Searcher.warmUp(snapshot);
    } catch (SearchException | RuntimeException e) {
      LOG.fine("warm-up query failed: " + e.getMessage()); // the real query will meet and report it
    }
  }

  /** Lucene's reopen of what changed, the unchanged HNSW base shared, the new delta read. */
  @Override
  public Index reopen(Index current) throws IOException {
    IndexSnapshot next = ((LoadedIndex) current).snapshot.reopenIfChanged();
    if (next == null) {
      return null;
    }
    boolean success = false;
    try {
      next.vectors(); // shared when the base is unchanged; read now when a commit rebuilt it
      success = true;
      return new LoadedIndex(next);
    } finally {
      if (!success) {
        next.close();
      }
    }
  }

  @Override
  public QueryService searcher(Model model, Index index) {
    return new Searcher(((LoadedModel) model).embedder, ((LoadedIndex) index).snapshot);
  }

  private record LoadedModel(String name, Embedder embedder) implements Model {
    @Override
    public void close() {
      embedder.close();
    }
  }

  private record LoadedIndex(IndexSnapshot snapshot) implements Index {
    @Override
    public IndexInfo info() {
      return new IndexInfo((long) snapshot.chunkCount(), (long) snapshot.fileCount(),
          snapshot.commit().vectorsFile() + snapshot.commit().deltaFile().map(d -> " + " + d).orElse("") + " @ "
              + snapshot.commit().indexedAt());
    }

    @Override
    public boolean isCurrent() throws IOException {
      return snapshot.isCurrent();
    }

    @Override
    public void close() throws IOException {
      snapshot.close();
    }
  }
}
