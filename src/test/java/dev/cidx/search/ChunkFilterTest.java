package dev.cidx.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.SearchMode;
import org.junit.jupiter.api.Test;

class ChunkFilterTest {

  private static QueryRequest.Builder request() {
    return QueryRequest.builder("q").mode(SearchMode.FTS);
  }

  @Test
  void noOptions_isEmpty_andAcceptsEverything() throws Exception {
    ChunkFilter filter = ChunkFilter.of(request().build());
    assertThat(filter.isEmpty()).isTrue();
    assertThat(filter.accepts("any/where.txt", "text")).isTrue();
  }

  @Test
  void languages_areExactNames_andExclusionWins() throws Exception {
    ChunkFilter filter = ChunkFilter.of(request().language("java").language("kotlin").excludeLanguage("kotlin").build());
    assertThat(filter.isEmpty()).isFalse();
    assertThat(filter.accepts("A.java", "java")).isTrue();
    assertThat(filter.accepts("A.kt", "kotlin")).isFalse();
    assertThat(filter.accepts("a.py", "python")).isFalse();
    assertThat(filter.accepts("A.java", "Java")).isFalse();
  }

  @Test
  void pathFilters_areOred_andExclusionWins() throws Exception {
    ChunkFilter filter = ChunkFilter.of(request().pathFilter("src/main").pathFilter("*.md")
        .excludePath("generated").build());
    assertThat(filter.accepts("src/main/A.java", "java")).isTrue();
    assertThat(filter.accepts("docs/a.md", "markdown")).isTrue();
    assertThat(filter.accepts("src/test/A.java", "java")).isFalse();
    assertThat(filter.accepts("src/main/generated/B.java", "java")).isFalse();
  }

  @Test
  void invalidGlob_isABadQuery() {
    assertThatThrownBy(() -> ChunkFilter.of(request().excludePath("src/{a,b").build()))
        .isInstanceOfSatisfying(SearchException.class,
            e -> assertThat(e.reason()).isEqualTo(SearchException.Reason.BAD_QUERY))
        .hasMessage("invalid glob 'src/{a,b': unclosed {");
  }
}
