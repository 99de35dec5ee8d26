package dev.cidx.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.SearchMode;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TokenRegexTest {
  private static final String FORTY_LETTERS = "abcdefghijklmnopqrstuvwxyzabcdefghijklmn";

  @Test
  @Timeout(60) // a backtracking engine takes hours (2^40 splits); the automaton takes microseconds
  void aBacktrackingPattern_runsInLinearTime_onALongToken() throws SearchException {
    TokenRegex regex = TokenRegex.compile("([a-z]+)*Handler", false);
    for (int i = 0; i < 1000; i++) {
      assertThat(regex.matches(FORTY_LETTERS)).isFalse();
    }
    assertThat(regex.matches("requestHandler")).isTrue();
  }

  @Test
  void matchesWholeTokens_caseInsensitiveUnlessAsked() throws SearchException {
    assertThat(TokenRegex.compile("parse.*line", false).matches("parseHeaderLine")).isTrue();
    assertThat(TokenRegex.compile("parse.*line", true).matches("parseHeaderLine")).isFalse();
    assertThat(TokenRegex.compile("parse", false).matches("parseHeaderLine")).isFalse();
    assertThat(TokenRegex.compile("foo  bar.*", false).matches("barrel")).isTrue(); // any piece
  }

  @Test
  void anInvalidPattern_isABadQuery_inOneLine() {
    assertThatThrownBy(() -> TokenRegex.compile("(unclosed", false))
        .isInstanceOf(SearchException.class)
        .hasMessageStartingWith("invalid regex '(unclosed': ")
        .satisfies(e -> assertThat(((SearchException) e).reason()).isEqualTo(SearchException.Reason.BAD_QUERY));
  }

  @Test
  void aPatternTooBigToDeterminize_isRefused() {
    String blowUp = "(a|b)*a(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)";
    assertThatThrownBy(() -> TokenRegex.compile(blowUp, false))
        .isInstanceOf(SearchException.class)
        .hasMessage("regex '" + blowUp + "' is too complex to run: simplify it");
  }

  @Test
  @Timeout(60)
  void highlighting_aRegexQuery_usesTheAutomaton() {
    QueryRequest request = QueryRequest.builder("([a-z]+)*Handler").mode(SearchMode.FTS).regex(true).build();
    Predicate<String> matcher = FullTextSearch.matcher(request);
    assertThat(FullTextSearch.matchedTerms("int " + FORTY_LETTERS + " = requestHandler();", request))
        .isEqualTo(List.of("requestHandler"));
    assertThat(matcher.test(FORTY_LETTERS)).isFalse();
  }
}
