package dev.cidx.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The answer to a query: what `cidx query --json` prints and what the daemon's {@code query} returns. */
public record QueryResult(
    @JsonProperty("query") String query,
    @JsonProperty("mode") SearchMode mode,
    @JsonProperty("took_ms") double tookMs,
    @JsonProperty("via") String via,
    @JsonProperty("results") List<Hit> results) {

  public static final String VIA_STANDALONE = "standalone";
  public static final String VIA_DAEMON = "daemon";

  public QueryResult {
    results = results == null ? List.of() : List.copyOf(results);
  }

  public QueryResult withVia(String newVia, double newTookMs) {
    return new QueryResult(query, mode, newTookMs, newVia, results);
  }
}
