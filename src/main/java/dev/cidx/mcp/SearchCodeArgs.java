package dev.cidx.mcp;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.cidx.protocol.Accuracy;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.SearchMode;
import java.util.List;

/** The arguments of {@code search_code}: {@code cidx query}'s options, plus paging and a size budget. */
record SearchCodeArgs(
    @JsonProperty(value = "query", required = true)
    @JsonPropertyDescription("What to look for: words, an identifier, or a description of the code (a regular "
        + "expression with regex).")
    String query,
    @JsonProperty("mode")
    @JsonPropertyDescription("hybrid (default: by meaning and by exact words, fused), semantic (by meaning only) "
        + "or fts (exact words and identifiers only).")
    SearchMode mode,
    @JsonProperty("limit")
    @JsonPropertyDescription("Results per page (default 10).")
    Integer limit,
    @JsonProperty("languages")
    @JsonPropertyDescription("Only these languages (names or extensions, e.g. java, py).")
    List<String> languages,
    @JsonProperty("exclude_languages")
    @JsonPropertyDescription("Never these languages.")
    List<String> excludeLanguages,
    @JsonProperty("path_filters")
    @JsonPropertyDescription("Only paths matching one of these globs (** crosses directories), e.g. src/**/*.java.")
    List<String> pathFilters,
    @JsonProperty("exclude_paths")
    @JsonPropertyDescription("Never paths matching these globs (wins over path_filters).")
    List<String> excludePaths,
    @JsonProperty("min_score")
    @JsonPropertyDescription("Drop results scoring below this.")
    Double minScore,
    @JsonProperty("snippet_lines")
    @JsonPropertyDescription("Snippet lines per result (default 5; 0 gives locations only).")
    Integer snippetLines,
    @JsonProperty("case_sensitive")
    @JsonPropertyDescription("Full-text: match case exactly.")
    Boolean caseSensitive,
    @JsonProperty("edit_distance")
    @JsonPropertyDescription("Full-text: allow up to this many typos per word (0 to 3).")
    Integer editDistance,
    @JsonProperty("regex")
    @JsonPropertyDescription("Full-text: query is a regular expression matched against words (implies fts).")
    Boolean regex,
    @JsonProperty("any")
    @JsonPropertyDescription("Full-text: any word may match instead of every word.")
    Boolean any,
    @JsonProperty("per_file")
    @JsonPropertyDescription("At most this many results from one file (0: no limit; default "
        + QueryRequest.DEFAULT_PER_FILE + ").")
    Integer perFile,
    @JsonProperty("accuracy")
    @JsonPropertyDescription("Semantic: fast, balanced (default) or high.")
    Accuracy accuracy,
    @JsonProperty("cursor")
    @JsonPropertyDescription("The next_cursor of the previous page, to get the next page of the same search.")
    String cursor,
    @JsonProperty("max_chars")
    @JsonPropertyDescription("Budget for the whole answer, in characters: snippets are shortened first, then "
        + "results left for the next page (default 20000).")
    Integer maxChars) {}
