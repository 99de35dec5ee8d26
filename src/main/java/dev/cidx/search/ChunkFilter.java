package dev.cidx.search;

import dev.cidx.index.ChunkQueries;
import dev.cidx.protocol.QueryRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;

/**
 * The language and path restrictions of one query, in the two forms the searches need: a Lucene
 * {@link Query} for full-text search and an {@link #accepts} predicate for semantic search. Globs are
 * matched only by {@link PathGlob}, in both forms: for Lucene they are evaluated against the indexed
 * paths and become a set of exact path terms.
 *
 * <p>Languages are exact names. Path filters are OR-ed; a path or language exclusion wins over any
 * inclusion. Immutable and thread-safe.
 */
public final class ChunkFilter {
  private final Set<String> languages;
  private final Set<String> excludedLanguages;
  private final List<PathGlob> paths;
  private final List<PathGlob> excludedPaths;

  private ChunkFilter(Set<String> languages, Set<String> excludedLanguages, List<PathGlob> paths,
      List<PathGlob> excludedPaths) {
    this.languages = languages;
    this.excludedLanguages = excludedLanguages;
    this.paths = paths;
    this.excludedPaths = excludedPaths;
  }

  /** The filter of {@code request}; an invalid glob is a {@link SearchException.Reason#BAD_QUERY}. */
  public static ChunkFilter of(QueryRequest request) throws SearchException {
    try {
      return new ChunkFilter(Set.copyOf(request.languages()), Set.copyOf(request.excludeLanguages()),
          compile(request.pathFilters()), compile(request.excludePaths()));
    } catch (IllegalArgumentException e) {
      throw new SearchException(SearchException.Reason.BAD_QUERY, e.getMessage(), e);
    }
  }

  private static List<PathGlob> compile(List<String> globs) {
    List<PathGlob> compiled = new ArrayList<>(globs.size());
    for (String glob : globs) {
      compiled.add(PathGlob.compile(glob));
    }
    return List.copyOf(compiled);
  }

  /** True when the filter lets everything through. */
  public boolean isEmpty() {
    return languages.isEmpty() && excludedLanguages.isEmpty() && paths.isEmpty() && excludedPaths.isEmpty();
  }

  public boolean accepts(String path, String language) {
    return acceptsLanguage(language) && acceptsPath(path);
  }

  private boolean acceptsLanguage(String language) {
    return (languages.isEmpty() || languages.contains(language)) && !excludedLanguages.contains(language);
  }

  private boolean acceptsPath(String path) {
    for (PathGlob glob : excludedPaths) {
      if (glob.matches(path)) {
        return false;
      }
    }
    if (paths.isEmpty()) {
      return true;
    }
    for (PathGlob glob : paths) {
      if (glob.matches(path)) {
        return true;
      }
    }
    return false;
  }

  /**
   * This filter as a query to use as a FILTER clause; {@code allPaths} are the indexed paths (see
   * {@link ChunkQueries#indexedPaths}), needed only when there are path globs. A {@link MatchAllDocsQuery} when
   * {@link #isEmpty()}.
   */
  public Query toQuery(Collection<String> allPaths) {
    BooleanQuery.Builder query = new BooleanQuery.Builder().add(new MatchAllDocsQuery(), Occur.FILTER);
    if (!languages.isEmpty()) {
      query.add(ChunkQueries.languageIn(languages), Occur.FILTER);
    }
    if (!excludedLanguages.isEmpty()) {
      query.add(ChunkQueries.languageIn(excludedLanguages), Occur.MUST_NOT);
    }
    if (!paths.isEmpty() || !excludedPaths.isEmpty()) {
      List<String> accepted = new ArrayList<>();
      for (String path : allPaths) {
        if (acceptsPath(path)) {
          accepted.add(path);
        }
      }
      query.add(accepted.isEmpty() ? new MatchNoDocsQuery("no indexed path matches the path filters")
          : ChunkQueries.pathIn(accepted), Occur.FILTER);
    }
    return query.build();
  }

  @Override
  public String toString() {
    return "ChunkFilter[languages=" + languages + ", excludedLanguages=" + excludedLanguages
        + ", paths=" + paths + ", excludedPaths=" + excludedPaths + "]";
  }
}
