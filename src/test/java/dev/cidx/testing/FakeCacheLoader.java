package dev.cidx.testing;

import dev.cidx.daemon.CacheLoader;
import dev.cidx.embed.Embedder;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.search.QueryService;
import dev.cidx.search.SearchException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts loads and closes, answers queries through a replaceable service, and can mark its index stale. */
public final class FakeCacheLoader implements CacheLoader {
  public final AtomicInteger modelLoads = new AtomicInteger();
  /** The name of each model loaded, in order. */
  public final List<String> loadedModels = new java.util.concurrent.CopyOnWriteArrayList<>();
  public final AtomicInteger indexOpens = new AtomicInteger();
  public final AtomicInteger modelCloses = new AtomicInteger();
  public final AtomicInteger indexCloses = new AtomicInteger();
  /** Set to false to make the open index report a newer commit on disk. */
  public final AtomicBoolean current = new AtomicBoolean(true);
  public volatile IOException openFailure;
  /** What a loaded model hands an index run; tests that index only count loads, so none is needed. */
  public volatile Embedder embedder;
  public volatile QueryService service = request -> new QueryResult(request.query(), request.mode(), 0, "fake", List.of());

  @Override
  public Model loadModel(String modelName) {
    modelLoads.incrementAndGet();
    loadedModels.add(modelName);
    return new Model() {
      @Override
      public String name() {
        return modelName;
      }

      @Override
      public Embedder embedder() {
        return embedder;
      }

      @Override
      public void close() {
        modelCloses.incrementAndGet();
      }
    };
  }

  @Override
  public Index openIndex() throws IOException {
    if (openFailure != null) {
      throw openFailure;
    }
    indexOpens.incrementAndGet();
    current.set(true);
    AtomicBoolean mine = new AtomicBoolean(true);
    return new Index() {
      @Override
      public boolean isCurrent() {
        return mine.get() && current.get();
      }

      @Override
      public IndexInfo info() {
        return new IndexInfo(42L, 7L, "commit-" + indexOpens.get());
      }

      @Override
      public void close() {
        mine.set(false);
        indexCloses.incrementAndGet();
      }
    };
  }

  @Override
  public QueryService searcher(Model model, Index index) {
    return new QueryService() { // reads the field per query, so a test can swap the service
      @Override
      public QueryResult query(QueryRequest request) throws SearchException {
        return service.query(request);
      }

      @Override
      public QueryResult query(QueryRequest request, java.time.Duration budget) throws SearchException {
        return service.query(request, budget);
      }
    };
  }

  /** A service that throws the given failure. */
  public static QueryService failing(SearchException e) {
    return (QueryRequest r) -> {
      throw e;
    };
  }
}
