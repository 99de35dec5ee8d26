package dev.cidx.search;

import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last answers of one {@link Searcher}, by request: a query asked again (an agent paging through
 * {@code search_code}, which fetches the same request for every page, or a person re-running a command)
 * is answered without searching. Everything in an answer comes from the searcher's snapshot except
 * {@code stale}, which the searcher recomputes; a new snapshot gets a new searcher, so a commit empties
 * this by construction.
 *
 * <p>Bounded by entries and by hits, so a run of 1,000-result fetches cannot grow it past a few MB.
 * Thread-safe.
 */
final class RecentResults {
  static final int MAX_ENTRIES = 64;
  /** Hits kept in all; an answer larger than a quarter of this is not kept at all. */
  static final int MAX_HITS = 4_000;

  /** An answer and, per hit, the indexed modification time its staleness is judged against. */
  record Answer(QueryResult result, long[] indexedMtimes) {}

  private final Map<QueryRequest, Answer> answers = new LinkedHashMap<>(16, 0.75f, true);
  /** Guarded by this. */
  private int hits;

  synchronized Answer get(QueryRequest request) {
    return answers.get(request);
  }

  synchronized void put(QueryRequest request, Answer answer) {
    int size = answer.result().results().size();
    if (size > MAX_HITS / 4) {
      return;
    }
    Answer previous = answers.put(request, answer);
    hits += size - (previous == null ? 0 : previous.result().results().size());
    var eldest = answers.values().iterator();
    while ((answers.size() > MAX_ENTRIES || hits > MAX_HITS) && eldest.hasNext()) {
      hits -= eldest.next().result().results().size();
      eldest.remove();
    }
  }

  synchronized int size() {
    return answers.size();
  }
}
