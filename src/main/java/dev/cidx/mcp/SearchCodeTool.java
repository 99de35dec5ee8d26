package dev.cidx.mcp;

import dev.cidx.index.Languages;
import dev.cidx.protocol.Hit;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.SearchMode;
import dev.cidx.search.QueryService;
import dev.cidx.search.SearchException;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code search_code}: one page of a {@code cidx query}, through the one query path ({@link QueryService}:
 * the daemon, or standalone). The arguments become a {@link QueryRequest} exactly as the CLI's options do;
 * the page is a slice of a result fetched with the same limit for every page of the search (see {@link
 * SearchCursor}), then fitted to {@code max_chars}: snippets shortened first, then results moved to the
 * next page.
 */
final class SearchCodeTool {
  static final String NAME = "search_code";
  static final int DEFAULT_MAX_CHARS = 20_000;
  static final int MIN_MAX_CHARS = 1_000;
  /** A shortened snippet keeps at most this many characters per line it keeps. */
  private static final int SHORT_LINE_CHARS = 160;

  private final QueryService queries;

  SearchCodeTool(QueryService queries) {
    this.queries = queries;
  }

  static Tool definition() {
    return Tool.builder()
        .name(NAME)
        .title("Search code")
        .description("Search this repository's code by meaning and by exact words (hybrid by default), as "
            + "`cidx query` does. Returns the best chunks with path, lines, score, language and a snippet; "
            + "`stale` marks a file changed since it was indexed. Page with `cursor` = the previous "
            + "`next_cursor`; `max_chars` bounds the answer.")
        .inputSchema(RecordSchemas.input(SearchCodeArgs.class))
        .outputSchema(RecordSchemas.of(SearchCodeResult.class))
        .build();
  }

  CallToolResult call(CallToolRequest call) {
    SearchCodeArgs args;
    QueryRequest first;
    try {
      args = ToolResults.arguments(call, SearchCodeArgs.class);
      first = request(args);
    } catch (IllegalArgumentException e) {
      return ToolResults.error(e.getMessage());
    }
    int maxChars = args.maxChars() == null ? DEFAULT_MAX_CHARS : args.maxChars();
    if (maxChars < MIN_MAX_CHARS) {
      return ToolResults.error("max_chars (" + maxChars + ") must be at least " + MIN_MAX_CHARS);
    }
    int pageSize = first.limit();
    String fingerprint = SearchCursor.fingerprint(first);
    SearchCursor cursor;
    try {
      cursor = args.cursor() == null ? new SearchCursor(0, fetchSize(pageSize), fingerprint)
          : SearchCursor.decode(args.cursor(), fingerprint);
    } catch (IllegalArgumentException e) {
      return ToolResults.error(e.getMessage());
    }
    QueryResult result;
    try {
      result = queries.query(first.toBuilder().limit(cursor.fetch()).build());
    } catch (SearchException e) {
      return ToolResults.error(e.getMessage());
    }
    List<Hit> all = result.results();
    int from = Math.min(cursor.offset(), all.size());
    List<Hit> page = all.subList(from, Math.min(all.size(), from + pageSize));
    return fit(result, page, from, all.size(), cursor, maxChars);
  }

  /**
   * The page within {@code maxChars} (its JSON and its text together): whole if it fits, else with
   * snippets cut to fewer, shorter lines, else with results from the end left for the next page.
   */
  private static CallToolResult fit(QueryResult result, List<Hit> page, int from, int fetched, SearchCursor cursor,
      int maxChars) {
    int snippetLines = page.stream().mapToInt(h -> (int) h.snippet().lines().count()).max().orElse(0);
    boolean shortened = false;
    List<Hit> hits = page;
    SearchCodeResult answer = answer(result, hits, from, fetched, cursor, false, page.size());
    // The text is rendered once per candidate answer and the last one is sent: rendering it again, and
    // with String.format per snippet line, was a millisecond or more of a warm call (bench/mcp.sh).
    String text = text(answer, fetched, cursor.fetch());
    while (size(answer, text) > maxChars && snippetLines > 1) {
      snippetLines--;
      hits = shorten(page, snippetLines);
      shortened = true;
      answer = answer(result, hits, from, fetched, cursor, true, page.size());
      text = text(answer, fetched, cursor.fetch());
    }
    while (size(answer, text) > maxChars && !hits.isEmpty()) {
      hits = hits.subList(0, hits.size() - 1);
      answer = answer(result, hits, from, fetched, cursor, shortened, page.size());
      text = text(answer, fetched, cursor.fetch());
    }
    return ToolResults.success(answer, text);
  }

  private static SearchCodeResult answer(QueryResult result, List<Hit> hits, int from, int fetched,
      SearchCursor cursor, boolean shortened, int pageSize) {
    int next = from + hits.size();
    String nextCursor = next < fetched ? new SearchCursor(next, cursor.fetch(), cursor.fingerprint()).encode() : null;
    QueryResult slice = new QueryResult(result.query(), result.mode(), result.tookMs(), result.via(), hits,
        result.warnings(), result.semanticCoverage());
    return new SearchCodeResult(slice, from, nextCursor, shortened, pageSize - hits.size());
  }

  private static int size(SearchCodeResult answer, String text) {
    return ToolResults.json(answer).length() + text.length();
  }

  private static List<Hit> shorten(List<Hit> hits, int lines) {
    List<Hit> out = new ArrayList<>(hits.size());
    for (Hit h : hits) {
      StringBuilder snippet = new StringBuilder();
      h.snippet().lines().limit(lines).forEach(line -> {
        if (snippet.length() > 0) {
          snippet.append('\n');
        }
        snippet.append(line.length() <= SHORT_LINE_CHARS ? line : cut(line, SHORT_LINE_CHARS) + "…");
      });
      out.add(new Hit(h.path(), h.startLine(), h.endLine(), h.score(), h.language(), snippet.toString(),
          h.snippetStartLine(), h.semanticRank(), h.ftsRank(), h.matchedTerms(), h.stale()));
    }
    return out;
  }

  /** The first {@code chars} characters, not splitting a surrogate pair (which would not be valid JSON text). */
  static String cut(String s, int chars) {
    int end = Math.min(chars, s.length());
    if (end > 0 && end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }

  /** The text rendering: one header line, then per result its location and its snippet, indented. */
  static String text(SearchCodeResult answer, int fetched, int fetch) {
    QueryResult r = answer.result();
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%d result%s for \"%s\" (%s, via %s, %.0f ms)", r.results().size(),
        r.results().size() == 1 ? "" : "s", r.query(), r.mode().wireName(), r.via(), r.tookMs()));
    if (answer.offset() > 0) {
      out.append(", from result ").append(answer.offset() + 1);
    }
    out.append('\n');
    for (String warning : r.warnings()) {
      out.append("warning: ").append(warning).append('\n');
    }
    for (Hit h : r.results()) {
      out.append(h.location()).append(' ').append(h.language()).append(' ')
          .append(String.format(Locale.ROOT, "%.3f", h.score()))
          .append(h.stale() ? " (stale: changed since indexed)" : "").append('\n');
      int line = h.snippetStartLine();
      for (String s : h.snippet().lines().toList()) {
        out.append("  ").append(line++).append(": ").append(s).append('\n');
      }
    }
    if (answer.snippetsShortened()) {
      out.append("snippets shortened to fit max_chars\n");
    }
    if (answer.resultsDropped() > 0) {
      out.append(answer.resultsDropped()).append(" result").append(answer.resultsDropped() == 1 ? "" : "s")
          .append(" left for the next page to fit max_chars\n");
    }
    if (answer.nextCursor() != null) {
      out.append("more: call search_code again with the same arguments and cursor ").append(answer.nextCursor())
          .append('\n');
    } else if (fetch > 0 && fetched >= fetch) {
      out.append("no more pages: a search looks at its best ").append(fetch).append(" results; narrow it for others\n");
    }
    return out.toString();
  }

  /** The query {@code cidx query} would send for the same options, with the page size as its limit. */
  static QueryRequest request(SearchCodeArgs a) {
    if (a.query() == null) {
      throw new IllegalArgumentException("query is required");
    }
    boolean regex = Boolean.TRUE.equals(a.regex());
    SearchMode mode = a.mode() != null ? a.mode() : regex ? SearchMode.FTS : SearchMode.HYBRID;
    QueryRequest.Builder b = QueryRequest.builder(a.query())
        .mode(mode)
        .limit(a.limit() == null ? QueryRequest.DEFAULT_LIMIT : a.limit())
        .minScore(a.minScore())
        .snippetLines(a.snippetLines() == null ? QueryRequest.DEFAULT_SNIPPET_LINES : a.snippetLines())
        .caseSensitive(Boolean.TRUE.equals(a.caseSensitive()))
        .editDistance(a.editDistance() == null ? 0 : a.editDistance())
        .regex(regex)
        .any(Boolean.TRUE.equals(a.any()));
    if (a.perFile() != null) {
      b.perFile(a.perFile());
    }
    if (a.accuracy() != null) {
      b.accuracy(a.accuracy());
    }
    for (String l : nonNull(a.languages())) {
      Languages.resolve(l).forEach(b::language);
    }
    for (String l : nonNull(a.excludeLanguages())) {
      Languages.resolve(l).forEach(b::excludeLanguage);
    }
    nonNull(a.pathFilters()).forEach(b::pathFilter);
    nonNull(a.excludePaths()).forEach(b::excludePath);
    return b.build();
  }

  /** How many results every page of a search fetches: a few pages' worth, at least fusion's window. */
  static int fetchSize(int pageSize) {
    return Math.min(QueryRequest.MAX_LIMIT, Math.max(50, pageSize * 5));
  }

  private static List<String> nonNull(List<String> list) {
    return list == null ? List.of() : list;
  }
}
