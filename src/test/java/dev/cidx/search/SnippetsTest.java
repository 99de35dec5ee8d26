package dev.cidx.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.search.Snippets.Snippet;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnippetsTest {
  private static final String TEXT = String.join("\n",
      "line one", "line two", "line three", "Parse the header", "line five",
      "line six", "parse parse", "line eight", "line nine", "line ten") + "\n";

  @Test
  void noTerms_givesTheFirstLines() {
    assertThat(Snippets.extract(TEXT, 20, List.of(), 3))
        .isEqualTo(new Snippet("line one\nline two\nline three", 20));
  }

  @Test
  void window_withMostCaseInsensitiveHits_wins() {
    // lines 4-7 hold three hits of "parse"; no other 4-line window holds as many.
    assertThat(Snippets.extract(TEXT, 1, List.of("PARSE"), 4))
        .isEqualTo(new Snippet("Parse the header\nline five\nline six\nparse parse", 4));
  }

  @Test
  void singleHit_isCentredInTheWindow() {
    assertThat(Snippets.extract(TEXT, 1, List.of("header"), 3))
        .isEqualTo(new Snippet("line three\nParse the header\nline five", 3));
  }

  @Test
  void termsThatDoNotOccur_fallBackToTheFirstLines() {
    assertThat(Snippets.extract(TEXT, 5, List.of("absent"), 2))
        .isEqualTo(new Snippet("line one\nline two", 5));
  }

  @Test
  void moreLinesThanTheChunkHas_givesTheWholeChunkWithoutTheFinalNewline() {
    assertThat(Snippets.extract("a\r\nb\n", 7, List.of("b"), 10)).isEqualTo(new Snippet("a\nb", 7));
  }

  @Test
  void zeroLines_givesEmptyText() {
    assertThat(Snippets.extract(TEXT, 3, List.of("parse"), 0)).isEqualTo(new Snippet("", 3));
  }
}
