package dev.cidx.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a query asks for. The same record travels from the CLI, over the socket and into the
 * searchers, so every option means the same thing whichever way the query runs. Fields missing from a
 * JSON request take their defaults; {@link #builder(String)} is the way to make one in code.
 *
 * <p>{@code any}: a full-text query ({@code mode} fts) requires every word unless {@code any} is set, as
 * grep and code hosts do; the full-text half of a hybrid query always matches any word, because fusion
 * needs the partial matches.
 *
 * <p>{@code per_file}: at most this many chunks of one file among the results, 0 for no limit, so that
 * one file's many near-identical chunks do not crowd out every other file.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record QueryRequest(
    @JsonProperty("query") String query,
    @JsonProperty("mode") SearchMode mode,
    @JsonProperty("limit") Integer limit,
    @JsonProperty("languages") List<String> languages,
    @JsonProperty("exclude_languages") List<String> excludeLanguages,
    @JsonProperty("path_filters") List<String> pathFilters,
    @JsonProperty("exclude_paths") List<String> excludePaths,
    @JsonProperty("min_score") Double minScore,
    @JsonProperty("snippet_lines") Integer snippetLines,
    @JsonProperty("case_sensitive") Boolean caseSensitive,
    @JsonProperty("edit_distance") Integer editDistance,
    @JsonProperty("regex") Boolean regex,
    @JsonProperty("accuracy") Accuracy accuracy,
    @JsonProperty("any") Boolean any,
    @JsonProperty("per_file") Integer perFile) {

  public static final int DEFAULT_LIMIT = 10;
  public static final int DEFAULT_SNIPPET_LINES = 5;
  public static final int MAX_LIMIT = 1000;
  /** At most this many results from one file unless a request says otherwise; 0 would mean no limit. */
  public static final int DEFAULT_PER_FILE = 0;

  public QueryRequest {
    if (query == null || query.isBlank()) {
      throw new IllegalArgumentException("query must not be empty");
    }
    mode = mode == null ? SearchMode.HYBRID : mode;
    limit = limit == null ? DEFAULT_LIMIT : limit;
    languages = languages == null ? List.of() : List.copyOf(languages);
    excludeLanguages = excludeLanguages == null ? List.of() : List.copyOf(excludeLanguages);
    pathFilters = pathFilters == null ? List.of() : List.copyOf(pathFilters);
    excludePaths = excludePaths == null ? List.of() : List.copyOf(excludePaths);
    snippetLines = snippetLines == null ? DEFAULT_SNIPPET_LINES : snippetLines;
    caseSensitive = caseSensitive != null && caseSensitive;
    editDistance = editDistance == null ? 0 : editDistance;
    regex = regex != null && regex;
    accuracy = accuracy == null ? Accuracy.BALANCED : accuracy;
    any = any != null && any;
    perFile = perFile == null ? DEFAULT_PER_FILE : perFile;
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit (" + limit + ") must be between 1 and " + MAX_LIMIT);
    }
    if (snippetLines < 0) {
      throw new IllegalArgumentException("snippet_lines (" + snippetLines + ") must not be negative");
    }
    if (perFile < 0) {
      throw new IllegalArgumentException("per_file (" + perFile + ") must not be negative (0 means no limit)");
    }
    if (editDistance < 0 || editDistance > 3) {
      throw new IllegalArgumentException("edit_distance (" + editDistance + ") must be between 0 and 3");
    }
    if (minScore != null && (minScore.isNaN() || minScore < 0)) {
      throw new IllegalArgumentException("min_score (" + minScore + ") must not be negative");
    }
    if (regex && mode != SearchMode.FTS) {
      throw new IllegalArgumentException("--regex works with full-text search only: add --fts and drop --semantic");
    }
    if (regex && editDistance > 0) {
      throw new IllegalArgumentException("--regex cannot be combined with --fuzzy or --edit-distance");
    }
    if (mode == SearchMode.SEMANTIC && any) {
      throw new IllegalArgumentException("--any applies to full-text search: add --fts or drop --semantic");
    }
    if (mode == SearchMode.SEMANTIC && (editDistance > 0 || caseSensitive)) {
      throw new IllegalArgumentException(
          "--fuzzy, --edit-distance and --case-sensitive apply to full-text search: add --fts or drop --semantic");
    }
  }

  public static Builder builder(String query) {
    return new Builder(query);
  }

  public Builder toBuilder() {
    Builder b = new Builder(query);
    b.mode = mode;
    b.limit = limit;
    b.languages.addAll(languages);
    b.excludeLanguages.addAll(excludeLanguages);
    b.pathFilters.addAll(pathFilters);
    b.excludePaths.addAll(excludePaths);
    b.minScore = minScore;
    b.snippetLines = snippetLines;
    b.caseSensitive = caseSensitive;
    b.editDistance = editDistance;
    b.regex = regex;
    b.accuracy = accuracy;
    b.any = any;
    b.perFile = perFile;
    return b;
  }

  /** Collects options one at a time; {@link #build()} checks them together. */
  public static final class Builder {
    private String query;
    private SearchMode mode = SearchMode.HYBRID;
    private int limit = DEFAULT_LIMIT;
    private final List<String> languages = new ArrayList<>();
    private final List<String> excludeLanguages = new ArrayList<>();
    private final List<String> pathFilters = new ArrayList<>();
    private final List<String> excludePaths = new ArrayList<>();
    private Double minScore;
    private int snippetLines = DEFAULT_SNIPPET_LINES;
    private boolean caseSensitive;
    private int editDistance;
    private boolean regex;
    private Accuracy accuracy = Accuracy.BALANCED;
    private boolean any;
    private int perFile = DEFAULT_PER_FILE;

    private Builder(String query) {
      this.query = Objects.requireNonNull(query, "query");
    }

    public Builder query(String text) { this.query = Objects.requireNonNull(text, "query"); return this; }
    public Builder mode(SearchMode m) { this.mode = Objects.requireNonNull(m, "mode"); return this; }
    public Builder limit(int n) { this.limit = n; return this; }
    public Builder language(String l) { this.languages.add(l); return this; }
    public Builder excludeLanguage(String l) { this.excludeLanguages.add(l); return this; }
    public Builder pathFilter(String glob) { this.pathFilters.add(glob); return this; }
    public Builder excludePath(String glob) { this.excludePaths.add(glob); return this; }
    public Builder minScore(Double s) { this.minScore = s; return this; }
    public Builder snippetLines(int n) { this.snippetLines = n; return this; }
    public Builder caseSensitive(boolean on) { this.caseSensitive = on; return this; }
    public Builder editDistance(int d) { this.editDistance = d; return this; }
    public Builder regex(boolean on) { this.regex = on; return this; }
    public Builder accuracy(Accuracy a) { this.accuracy = Objects.requireNonNull(a, "accuracy"); return this; }
    public Builder any(boolean on) { this.any = on; return this; }
    public Builder perFile(int n) { this.perFile = n; return this; }

    public QueryRequest build() {
      return new QueryRequest(query, mode, limit, languages, excludeLanguages, pathFilters, excludePaths,
          minScore, snippetLines, caseSensitive, editDistance, regex, accuracy, any, perFile);
    }
  }
}
