package dev.cidx.cli;

import dev.cidx.protocol.Hit;
import dev.cidx.protocol.QueryResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints query results: for people (rank, score, location, language, numbered snippet, highlighted
 * terms; colour only on a terminal), for scripts ({@code --quiet}: one location per line), or as one
 * JSON object ({@code --json}). Results from the daemon and from a standalone query print the same.
 * Paths and snippets come from the repository: they pass through {@link TerminalText} before any colour
 * is added, so only cidx's own escapes reach the terminal.
 */
final class HitPrinter {
  enum Format { HUMAN, QUIET, JSON }

  private static final String RESET = "\u001b[0m";
  private static final String BOLD = "\u001b[1m";
  private static final String DIM = "\u001b[2m";
  private static final String CYAN = "\u001b[36m";
  private static final String YELLOW = "\u001b[33m";
  private static final String MATCH = "\u001b[1;31m";

  private final PrintStream out;
  private final boolean color;
  private final Format format;

  HitPrinter(PrintStream out, Terminal terminal, Format format) {
    this.out = out;
    this.color = terminal.color();
    this.format = format;
  }

  void print(QueryResult result) {
    switch (format) {
      case JSON -> out.println(Json.write(result));
      case QUIET -> result.results().forEach(h -> out.println(TerminalText.line(h.location())));
      case HUMAN -> human(result);
    }
  }

  private void human(QueryResult result) {
    List<Hit> hits = result.results();
    if (hits.isEmpty()) {
      out.println("no results for \"" + TerminalText.line(result.query()) + "\" (" + result.mode().wireName() + ")");
      return;
    }
    for (int i = 0; i < hits.size(); i++) {
      Hit h = hits.get(i);
      if (i > 0 && !h.snippet().isEmpty()) {
        out.println();
      }
      StringBuilder line = new StringBuilder();
      line.append(paint(BOLD, String.format(Locale.ROOT, "%2d.", i + 1))).append(' ')
          .append(paint(DIM, String.format(Locale.ROOT, "%.3f", h.score()))).append("  ")
          .append(paint(CYAN, TerminalText.line(h.location()))).append("  ")
          .append(paint(DIM, TerminalText.line(h.language())));
      String ranks = ranks(h);
      if (!ranks.isEmpty()) {
        line.append("  ").append(paint(DIM, ranks));
      }
      if (h.stale()) {
        line.append("  ").append(paint(YELLOW, "(stale: file changed since indexed)"));
      }
      out.println(line);
      snippet(h);
    }
    out.println(paint(DIM, String.format(Locale.ROOT, "%n%d result%s in %.0f ms (%s, %s)", hits.size(),
        hits.size() == 1 ? "" : "s", result.tookMs(), result.mode().wireName(), result.via())));
  }

  private static String ranks(Hit h) {
    List<String> parts = new ArrayList<>(2);
    if (h.semanticRank() != null) {
      parts.add("semantic #" + h.semanticRank());
    }
    if (h.ftsRank() != null) {
      parts.add("fts #" + h.ftsRank());
    }
    return parts.isEmpty() ? "" : "[" + String.join(", ", parts) + "]";
  }

  private void snippet(Hit h) {
    if (h.snippet().isEmpty()) {
      return;
    }
    Pattern terms = termPattern(h.matchedTerms());
    String[] lines = h.snippet().split("\n", -1);
    int width = String.valueOf(h.snippetStartLine() + lines.length - 1).length();
    for (int i = 0; i < lines.length; i++) {
      String number = String.format(Locale.ROOT, "%" + width + "d", h.snippetStartLine() + i);
      out.println("  " + paint(DIM, number) + "  " + highlight(TerminalText.line(lines[i]), terms));
    }
  }

  private String highlight(String line, Pattern terms) {
    if (!color || terms == null) {
      return line;
    }
    Matcher m = terms.matcher(line);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(MATCH + m.group() + RESET));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static Pattern termPattern(List<String> terms) {
    List<String> quoted = new ArrayList<>();
    for (String t : terms) {
      if (!t.isBlank()) {
        quoted.add(Pattern.quote(t));
      }
    }
    // Longest first, so "parseHeader" is highlighted whole rather than as "parse" + "Header".
    quoted.sort((a, b) -> b.length() - a.length());
    return quoted.isEmpty() ? null : Pattern.compile(String.join("|", quoted), Pattern.CASE_INSENSITIVE);
  }

  private String paint(String style, String text) {
    return color ? style + text + RESET : text;
  }
}
