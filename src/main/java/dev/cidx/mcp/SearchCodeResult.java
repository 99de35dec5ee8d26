package dev.cidx.mcp;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.cidx.protocol.QueryResult;

/**
 * One page of {@code search_code}: the query's result exactly as {@code cidx query --json} prints it
 * (its results cut to this page), and how to go on. {@code next_cursor} is absent on the last page.
 * {@code snippets_shortened} and {@code results_dropped} say what {@code max_chars} cost: dropped
 * results are not lost, they open the next page.
 */
record SearchCodeResult(
    @JsonUnwrapped QueryResult result,
    @JsonProperty("offset") int offset,
    @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("next_cursor") String nextCursor,
    @JsonProperty("snippets_shortened") boolean snippetsShortened,
    @JsonProperty("results_dropped") int resultsDropped) {}
