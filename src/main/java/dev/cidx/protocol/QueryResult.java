package dev.cidx.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The answer to a query: what `cidx query --json` prints and what the daemon's {@code query} returns.
 * {@code warnings} are one-line remarks about the query that did not stop it (a path filter that matches
 * no indexed file, with the pattern likely meant); the CLI prints each on stderr.
 */
public record QueryResult(
    @JsonProperty("query") String query,
    @JsonProperty("mode") SearchMode mode,
    @JsonProperty("took_ms") double tookMs,
    @JsonProperty("via") String via,
    @JsonProperty("results") List<Hit> results,
    @JsonProperty("warnings") List<String> warnings) {

  public static final String VIA_STANDALONE = "standalone";
  public static final String VIA_DAEMON = "daemon";

  public QueryResult {
    results = results == null ? List.of() : List.copyOf(results);
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  /** A result without warnings. */
  public QueryResult(String query, SearchMode mode, double tookMs, String via, List<Hit> results) {
    this(query, mode, tookMs, via, results, List.of());
  }

  public QueryResult withVia(String newVia, double newTookMs) {
    return new QueryResult(query, mode, newTookMs, newVia, results, warnings);
  }
}
