package dev.cidx.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathFilterWarningsTest {
  private static final List<String> PATHS = List.of(
      "src/java.net.http/share/classes/jdk/internal/net/http/websocket/WebSocketImpl.java",
      "src/java.net.http/share/classes/java/net/http/HttpClient.java",
      "tests/unit/ParserTest.java");

  @Test
  void oneStarSegments_suggestTwoStars() {
    assertThat(PathFilterWarnings.of(List.of("*/websocket/*"), PATHS)).containsExactly(
        "--path-filter '*/websocket/*' matches no indexed file; did you mean '**/websocket/**'? "
            + "(* stops at /, ** crosses directories)");
  }

  @Test
  void anchoredPathBelowTheTop_suggestsAnyDepth() {
    assertThat(PathFilterWarnings.likelyMeant("jdk/internal/**", PATHS)).isEqualTo("**/jdk/internal/**");
  }

  @Test
  void aFilterThatMatches_warnsNothing() {
    assertThat(PathFilterWarnings.of(List.of("**/websocket/**", "tests/*", "*.java"), PATHS)).isEmpty();
  }

  @Test
  void nothingLikelyMeant_stillSaysTheFilterMatchesNothing() {
    assertThat(PathFilterWarnings.of(List.of("docs/**"), PATHS))
        .containsExactly("--path-filter 'docs/**' matches no indexed file");
  }

  @Test
  void onlyTheFilterThatMatchesNothing_isNamed() {
    assertThat(PathFilterWarnings.of(List.of("tests/**", "*/http/*"), PATHS)).containsExactly(
        "--path-filter '*/http/*' matches no indexed file; did you mean '**/http/**'? "
            + "(* stops at /, ** crosses directories)");
  }
}
