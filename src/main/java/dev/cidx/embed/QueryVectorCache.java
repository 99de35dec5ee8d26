package dev.cidx.embed;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The vectors of the last queries, least recently used first out. Embedding a query is most of a warm
 * semantic or hybrid query's time in the daemon (about 10 ms of 12), and people and agents repeat
 * queries: paging, `--json` after a look, the same question with another filter. Thread-safe; a vector
 * handed out is a copy, so no caller can spoil the cached one.
 */
final class QueryVectorCache {
  static final int DEFAULT_CAPACITY = 256;

  private final Map<String, float[]> vectors;

  QueryVectorCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity (" + capacity + ") must be positive");
    }
    this.vectors = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
        return size() > capacity;
      }
    };
  }

  /** The cached vector of {@code text}, else {@code embed}'s, which is kept; embedding runs unlocked. */
  float[] get(String text, Function<String, float[]> embed) {
    float[] cached;
    synchronized (vectors) {
      cached = vectors.get(text);
    }
    if (cached == null) {
      cached = embed.apply(text);
      synchronized (vectors) {
        vectors.put(text, cached);
      }
    }
    return cached.clone();
  }

  int size() {
    synchronized (vectors) {
      return vectors.size();
    }
  }
}
