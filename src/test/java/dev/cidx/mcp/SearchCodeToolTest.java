package dev.cidx.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.protocol.Hit;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Paging and the size budget over a query service that answers from a fixed, ordered list of hits. */
class SearchCodeToolTest {
  private final List<QueryRequest> asked = new ArrayList<>();
  private final SearchCodeTool tool = new SearchCodeTool(request -> {
    asked.add(request);
    List<Hit> hits = new ArrayList<>();
    for (int i = 1; i <= Math.min(request.limit(), 23); i++) {
      hits.add(new Hit("f" + i + ".java", i, i + 10, 1.0 / i, "java", "line one of " + i + "\n" + "x".repeat(300)
          + "\nline three\nline four", i, i, null, List.of(), false));
    }
    return new QueryResult(request.query(), request.mode(), 1, "daemon", hits);
  });

  @Test
  void pages_returnEveryResultExactlyOnce_withTheSameFetchEachTime() {
    List<String> seen = new ArrayList<>();
    Map<String, Object> args = new HashMap<>(Map.of("query", "upload", "limit", 5));
    while (true) {
      Map<String, Object> page = cast(call(args).structuredContent());
      for (Object hit : (List<?>) page.get("results")) {
        seen.add((String) ((Map<?, ?>) hit).get("path"));
      }
      if (page.get("next_cursor") == null) {
        break;
      }
      args.put("cursor", page.get("next_cursor"));
    }
    assertThat(seen).hasSize(23).doesNotHaveDuplicates();
    assertThat(asked).extracting(QueryRequest::limit).containsOnly(SearchCodeTool.fetchSize(5));
  }

  @Test
  void text_showsEachResultsLocation_thenItsSnippetLinesNumbered() {
    String text = text(call(Map.of("query", "upload", "limit", 2, "max_chars", 100_000)));
    assertThat(text).startsWith("2 results for \"upload\" (hybrid, via daemon, 1 ms)\n"
        + "f1.java:1-11 java 1.000\n  1: line one of 1\n  2: " + "x".repeat(300) + "\n  3: line three\n  4: line four\n"
        + "f2.java:2-12 java 0.500\n  2: line one of 2\n");
  }

  @Test
  void maxChars_shortensSnippetsFirst_thenLeavesResultsForTheNextPage() {
    CallToolResult roomy = call(Map.of("query", "upload", "limit", 10));
    assertThat(cast(roomy.structuredContent()).get("snippets_shortened")).isEqualTo(false);

    CallToolResult tight = call(Map.of("query", "upload", "limit", 10, "max_chars", 2000));
    Map<String, Object> page = cast(tight.structuredContent());
    assertThat(size(tight)).isLessThanOrEqualTo(2000);
    assertThat(page.get("snippets_shortened")).isEqualTo(true);
    int kept = ((List<?>) page.get("results")).size();
    assertThat(kept).isBetween(1, 9);
    assertThat(page.get("results_dropped")).isEqualTo(10 - kept);
    assertThat(text(tight)).contains("snippets shortened to fit max_chars")
        .contains((10 - kept) + " results left for the next page");

    Map<String, Object> next = cast(call(Map.of("query", "upload", "limit", 10, "max_chars", 2000,
        "cursor", page.get("next_cursor"))).structuredContent());
    assertThat(((Map<?, ?>) ((List<?>) next.get("results")).get(0)).get("path")).isEqualTo("f" + (kept + 1) + ".java");
  }

  @Test
  void badArguments_areOneLineToolErrors() {
    assertThat(text(call(Map.of("query", "x", "limit", 0)))).isEqualTo("cidx: limit (0) must be between 1 and 1000");
    assertThat(text(call(Map.of("query", "x", "languages", List.of("klingon")))))
        .startsWith("cidx: unknown language 'klingon'");
    assertThat(call(Map.of("query", "x", "regex", true, "mode", "semantic")).isError()).isTrue();
    assertThat(text(call(Map.of("query", "x", "limit", "5")))).startsWith("cidx: bad arguments: ");
    assertThat(text(call(Map.of("query", "x", "limit", 2.5)))).startsWith("cidx: bad arguments: ");
    assertThat(text(call(Map.of("query", "x", "bogus", 1)))).startsWith("cidx: bad arguments: ").contains("bogus");
    assertThat(text(call(Map.of("query", "x", "mode", "psychic"))))
        .isEqualTo("cidx: bad arguments: mode (psychic) must be one of semantic, fts, hybrid");
    assertThat(text(call(Map.of("mode", "fts")))).startsWith("cidx: bad arguments: ").contains("'query'");
  }

  private CallToolResult call(Map<String, Object> args) {
    return tool.call(new CallToolRequest(SearchCodeTool.NAME, args));
  }

  private static int size(CallToolResult r) {
    return ToolResults.json(r.structuredContent()).length() + text(r).length();
  }

  private static String text(CallToolResult r) {
    return ((TextContent) r.content().get(0)).text();
  }

  /** The structured content as a client receives it (as JSON), whatever object the tool put there. */
  private static Map<String, Object> cast(Object o) {
    return ToolResults.structured(o);
  }
}
