package dev.cidx.search;

import dev.cidx.embed.Embedder;
import dev.cidx.embed.EmbeddingIdentity;
import dev.cidx.index.CommitInfo;
import dev.cidx.index.IndexSnapshot;
import dev.cidx.index.StoredChunk;
import dev.cidx.protocol.Hit;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.SearchMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.apache.lucene.search.Query;

/**
 * Runs semantic, full-text and hybrid queries over one {@link IndexSnapshot} with one {@link Embedder}.
 * Cheap to construct, thread-safe, and owns neither argument: the daemon keeps both in its cache and
 * builds a Searcher around them; the standalone path opens them for one query.
 *
 * <p>Hybrid runs both searches at once (the query embedding, ~10 ms, overlaps the Lucene search) over a
 * window larger than the limit, then fuses them with {@link RankFusion}.
 *
 * <p>A request asked again is answered from {@link RecentResults} with only its staleness looked at
 * anew: the snapshot cannot change under a searcher, and the daemon builds a new one per snapshot.
 */
public final class Searcher implements QueryService {
  /** Both halves of a hybrid query run here; daemon threads so an idle pool never keeps a JVM alive. */
  private static final ExecutorService HYBRID_POOL = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "cidx-search");
    t.setDaemon(true);
    return t;
  });

  private final Embedder embedder;
  private final IndexSnapshot snapshot;
  private final SemanticSearch semantic;
  private final RecentResults recent = new RecentResults();

  public Searcher(Embedder embedder, IndexSnapshot snapshot) {
    this.embedder = embedder;
    this.snapshot = snapshot;
    this.semantic = new SemanticSearch(embedder, snapshot);
  }

  @Override
  public QueryResult query(QueryRequest request) throws SearchException {
    return query(request, (Duration) null);
  }

  @Override
  public QueryResult query(QueryRequest request, Duration budget) throws SearchException {
    return query(request, QueryDeadline.after(budget));
  }

  /** The query, checking {@code deadline} between phases and per hit (see {@link QueryDeadline}). */
  QueryResult query(QueryRequest request, QueryDeadline deadline) throws SearchException {
    long started = System.nanoTime();
    checkModel();
    RecentResults.Answer known = recent.get(request);
    if (known != null) {
      return again(known, started);
    }
    RecentResults.Answer answer = answer(request, deadline, started);
    recent.put(request, answer);
    return answer.result();
  }

  /**
   * Answers a full-text query on {@code snapshot} and forgets the answer. The first query in a JVM loads
   * and compiles Lucene's search path and cidx's hit rendering (tens to hundreds of milliseconds); the
   * daemon runs this beside the model's load, so its first real query does not pay for them.
   */
  public static void warmUp(IndexSnapshot snapshot) throws SearchException {
    new Searcher(null, snapshot).answer(QueryRequest.builder("return value").mode(SearchMode.FTS).build(),
        QueryDeadline.NONE, System.nanoTime());
  }

  /** The answer to {@code request} with the indexed times of its hits' files, worked out afresh. */
  private RecentResults.Answer answer(QueryRequest request, QueryDeadline deadline, long started)
      throws SearchException {
    ChunkFilter chunkFilter = ChunkFilter.of(request);
    Query filter = chunkFilter.isEmpty() ? null : chunkFilter.toQuery(snapshot.paths());
    // A per-file limit skips candidates, so the searches reach further to still fill the limit.
    int candidates = request.perFile() > 0 ? fusionWindow(request.limit()) : request.limit();
    List<Ranked> ranked = switch (request.mode()) {
      case FTS -> Ranked.fromFullText(fullText(request, filter, candidates, deadline));
      case SEMANTIC -> Ranked.fromSemantic(semantic.search(request, filter, candidates));
      case HYBRID -> hybrid(request, filter, fusionWindow(request.limit()), deadline);
    };
    deadline.check();
    Predicate<String> matcher = FullTextSearch.matcher(request);
    List<Hit> hits = new ArrayList<>(request.limit());
    long[] mtimes = new long[request.limit()];
    Map<String, Integer> perFile = new HashMap<>();
    for (Ranked r : ranked) {
      deadline.check();
      if (hits.size() == request.limit()) {
        break;
      }
      if (request.minScore() != null && r.score() < request.minScore()) {
        continue;
      }
      StoredChunk d = chunk(r.doc());
      if (request.perFile() > 0 && perFile.merge(d.path(), 1, Integer::sum) > request.perFile()) {
        continue;
      }
      mtimes[hits.size()] = d.indexedMtime();
      hits.add(toHit(r, d, request, matcher, deadline));
    }
    List<String> warnings = new ArrayList<>(request.pathFilters().isEmpty() ? List.of()
        : PathFilterWarnings.of(request.pathFilters(), snapshot.paths()));
    Double coverage = null;
    if (request.mode() != SearchMode.FTS) {
      CommitInfo commit = snapshot.commit();
      coverage = commit.semanticCoverage();
      if (!commit.fullyEmbedded()) {
        warnings.add(coverageWarning(commit));
      }
    }
    double tookMs = (System.nanoTime() - started) / 1e6;
    QueryResult result = new QueryResult(request.query(), request.mode(), tookMs, QueryResult.VIA_STANDALONE, hits,
        warnings, coverage);
    return new RecentResults.Answer(result, mtimes);
  }

  /** How many answers this searcher keeps for requests asked again (for tests). */
  int remembered() {
    return recent.size();
  }

  /** An answer given before on this snapshot, with staleness (the file system's part) looked at anew. */
  private QueryResult again(RecentResults.Answer known, long started) {
    QueryResult r = known.result();
    List<Hit> hits = new ArrayList<>(r.results().size());
    for (int i = 0; i < r.results().size(); i++) {
      Hit h = r.results().get(i);
      hits.add(h.withStale(isStale(h.path(), known.indexedMtimes()[i])));
    }
    return new QueryResult(r.query(), r.mode(), (System.nanoTime() - started) / 1e6, r.via(), hits, r.warnings(),
        r.semanticCoverage());
  }

  /**
   * Said whenever semantic results may be missing chunks: full-text results never are. Rounded down, so
   * an index one chunk short never claims 100 %.
   */
  static String coverageWarning(CommitInfo commit) {
    int percent = (int) Math.floor(commit.semanticCoverage() * 100);
    return "semantic search covers " + percent + " % of the repository so far; full-text results are complete "
        + "(`cidx status` shows the progress; `cidx index` resumes a stopped run)";
  }

  private List<Ranked> hybrid(QueryRequest request, Query filter, int window, QueryDeadline deadline)
      throws SearchException {
    CompletableFuture<List<ScoredDoc>> fts = CompletableFuture.supplyAsync(() -> {
      try {
        return fullText(request, filter, window, deadline);
      } catch (SearchException e) {
        if (e.reason() == SearchException.Reason.BAD_QUERY) {
          return List.of(); // e.g. only punctuation: nothing for BM25, the semantic half still answers
        }
        throw new CompletionException(e);
      }
    }, HYBRID_POOL);
    List<SemanticSearch.Match> sem = semantic.search(request, filter, window);
    List<ScoredDoc> text;
    try {
      text = fts.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof SearchException se) {
        throw se;
      }
      throw new SearchException(SearchException.Reason.INTERNAL, "full-text search failed: " + e.getCause(), e);
    }
    return RankFusion.fuse(sem, text);
  }

  private List<ScoredDoc> fullText(QueryRequest request, Query filter, int n, QueryDeadline deadline)
      throws SearchException {
    return FullTextSearch.search(snapshot.searcher(), request, filter, n, deadline);
  }

  private void checkModel() throws SearchException {
    EmbeddingIdentity indexed = snapshot.commit().identity();
    if (!indexed.equals(embedder.identity())) {
      throw new SearchException(SearchException.Reason.MODEL_MISMATCH, indexed.mismatch(embedder.identity()));
    }
  }

  /** Fusion needs each list to reach past the limit, or a chunk ranked just below it in both is lost. */
  static int fusionWindow(int limit) {
    return Math.max(50, limit * 4);
  }

  private StoredChunk chunk(int doc) throws SearchException {
    try {
      return snapshot.chunk(doc);
    } catch (IOException e) {
      throw damaged(e);
    }
  }

  private static SearchException damaged(IOException e) {
    return new SearchException(SearchException.Reason.DAMAGED_INDEX,
        "the index is damaged (" + e.getMessage() + "); run `cidx index --clear` to rebuild it", e);
  }

  private Hit toHit(Ranked r, StoredChunk c, QueryRequest request, Predicate<String> matcher, QueryDeadline deadline)
      throws SearchException {
    List<String> terms = FullTextSearch.matchedTerms(c.content(), matcher, deadline);
    Snippets.Snippet snippet = Snippets.extract(c.content(), c.startLine(), terms, request.snippetLines());
    return new Hit(c.path(), c.startLine(), c.endLine(), r.score(), c.language(), snippet.text(), snippet.startLine(),
        r.semanticRank(), r.ftsRank(), terms, isStale(c.path(), c.indexedMtime()));
  }


  /** A file changed (or vanished) after it was indexed: its lines may no longer match. */
  private boolean isStale(String path, long indexedMtime) {
    try {
      return Files.getLastModifiedTime(snapshot.root().resolve(path)).toMillis() != indexedMtime;
    } catch (NoSuchFileException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** One candidate on its way to a hit, with the rank each search gave it. */
  record Ranked(int doc, double score, Integer semanticRank, Integer ftsRank) {
    static List<Ranked> fromFullText(List<ScoredDoc> docs) {
      List<Ranked> out = new ArrayList<>(docs.size());
      for (int i = 0; i < docs.size(); i++) {
        out.add(new Ranked(docs.get(i).doc(), docs.get(i).score(), null, i + 1));
      }
      return out;
    }

    static List<Ranked> fromSemantic(List<SemanticSearch.Match> matches) {
      List<Ranked> out = new ArrayList<>(matches.size());
      for (int i = 0; i < matches.size(); i++) {
        out.add(new Ranked(matches.get(i).doc(), matches.get(i).similarity(), i + 1, null));
      }
      return out;
    }
  }
}
