package dev.cidx.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * One result: a chunk of a file. {@code semanticRank} and {@code ftsRank} are the 1-based ranks the
 * chunk had in each search that found it (null when that search did not), so a hybrid result shows why
 * it is there. {@code matchedTerms} are the query terms found in the chunk, for highlighting.
 * {@code stale} is true when the file changed on disk after it was indexed.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Hit(
    @JsonProperty("path") String path,
    @JsonProperty("start_line") int startLine,
    @JsonProperty("end_line") int endLine,
    @JsonProperty("score") double score,
    @JsonProperty("language") String language,
    @JsonProperty("snippet") String snippet,
    @JsonProperty("snippet_start_line") int snippetStartLine,
    @JsonProperty("semantic_rank") Integer semanticRank,
    @JsonProperty("fts_rank") Integer ftsRank,
    @JsonProperty("matched_terms") List<String> matchedTerms,
    @JsonProperty("stale") boolean stale) {

  public Hit {
    Objects.requireNonNull(path, "path");
    if (startLine < 1 || endLine < startLine) {
      throw new IllegalArgumentException("lines (" + startLine + "-" + endLine + ") must be 1-based and ordered");
    }
    snippet = snippet == null ? "" : snippet;
    matchedTerms = matchedTerms == null ? List.of() : List.copyOf(matchedTerms);
  }

  /** This hit with {@code stale} as given: staleness is the one part of a hit that is not the index's. */
  public Hit withStale(boolean stale) {
    return stale == this.stale ? this : new Hit(path, startLine, endLine, score, language, snippet, snippetStartLine,
        semanticRank, ftsRank, matchedTerms, stale);
  }

  public String location() {
    return path + ":" + startLine + "-" + endLine;
  }
}
