package dev.cidx.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The answer to a query: what `cidx query --json` prints and what the daemon's {@code query} returns.
 * {@code warnings} are one-line remarks about the query that did not stop it (a path filter that matches
 * no indexed file, with the pattern likely meant); the CLI prints each on stderr. {@code
 * semanticCoverage} (semantic and hybrid queries only) is the share of chunks that have a vector: below 1
 * while a big repository's first index run is still embedding, when full-text search already sees all.
 */
public record QueryResult(
    @JsonProperty("query") String query,
    @JsonProperty("mode") SearchMode mode,
    @JsonProperty("took_ms") double tookMs,
    @JsonProperty("via") String via,
    @JsonProperty("results") List<Hit> results,
    @JsonProperty("warnings") List<String> warnings,
    @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("semantic_coverage") Double semanticCoverage) {

  public static final String VIA_STANDALONE = "standalone";
  public static final String VIA_DAEMON = "daemon";

  public QueryResult {
    results = results == null ? List.of() : List.copyOf(results);
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  /** A result without warnings. */
  public QueryResult(String query, SearchMode mode, double tookMs, String via, List<Hit> results) {
    this(query, mode, tookMs, via, results, List.of(), null);
  }

  /** A full-text result, or one over vectors for every chunk. */
  public QueryResult(String query, SearchMode mode, double tookMs, String via, List<Hit> results,
      List<String> warnings) {
    this(query, mode, tookMs, via, results, warnings, null);
  }

  public QueryResult withVia(String newVia, double newTookMs) {
    return new QueryResult(query, mode, newTookMs, newVia, results, warnings, semanticCoverage);
  }
}
