package dev.cidx.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class QueryRequestTest {
  @Test
  void defaults_areHybridTenResultsFiveSnippetLines() {
    QueryRequest r = QueryRequest.builder("retry").build();
    assertThat(r.mode()).isEqualTo(SearchMode.HYBRID);
    assertThat(r.limit()).isEqualTo(10);
    assertThat(r.snippetLines()).isEqualTo(5);
    assertThat(r.accuracy()).isEqualTo(Accuracy.BALANCED);
  }

  @Test
  void aJsonRequestWithOnlyTheQueryGetsTheSameDefaults() throws Exception {
    QueryRequest r = new ObjectMapper().readValue("{\"query\":\"retry\"}", QueryRequest.class);
    assertThat(r).isEqualTo(QueryRequest.builder("retry").build());
  }

  @Test
  void toBuilder_copiesEveryOption() {
    QueryRequest r = QueryRequest.builder("x").mode(SearchMode.FTS).limit(3).language("java").excludeLanguage("go")
        .pathFilter("src/**").excludePath("**/test/**").minScore(0.5).snippetLines(0).caseSensitive(true)
        .editDistance(2).accuracy(Accuracy.HIGH).perFile(2).build();
    assertThat(r.toBuilder().build()).isEqualTo(r);
  }

  @Test
  void perFile_travelsOnTheWireAsPerFile() throws Exception {
    ObjectMapper json = new ObjectMapper();
    QueryRequest r = QueryRequest.builder("x").perFile(3).build();
    assertThat(json.readTree(json.writeValueAsString(r)).get("per_file").asInt()).isEqualTo(3);
    assertThat(json.readValue(json.writeValueAsString(r), QueryRequest.class)).isEqualTo(r);
    assertThat(QueryRequest.builder("x").build().perFile()).isZero();
  }

  @Test
  void badValuesAreRejectedByName() {
    assertThatThrownBy(() -> QueryRequest.builder("x").limit(0).build())
        .hasMessage("limit (0) must be between 1 and 1000");
    assertThatThrownBy(() -> QueryRequest.builder(" ").build()).hasMessage("query must not be empty");
    assertThatThrownBy(() -> QueryRequest.builder("x").editDistance(4).mode(SearchMode.FTS).build())
        .hasMessage("edit_distance (4) must be between 0 and 3");
    assertThatThrownBy(() -> QueryRequest.builder("x").snippetLines(-1).build())
        .hasMessage("snippet_lines (-1) must not be negative");
  }

  @Test
  void regexIsFullTextOnlyAndNotFuzzy() {
    assertThatThrownBy(() -> QueryRequest.builder("a.*").regex(true).mode(SearchMode.SEMANTIC).build())
        .hasMessageStartingWith("--regex works with full-text search only");
    assertThatThrownBy(() -> QueryRequest.builder("a.*").regex(true).mode(SearchMode.FTS).editDistance(1).build())
        .hasMessage("--regex cannot be combined with --fuzzy or --edit-distance");
    assertThat(QueryRequest.builder("a.*").regex(true).mode(SearchMode.FTS).build().regex()).isTrue();
  }

  @Test
  void modeAndAccuracyNamesAreCheckedOnTheWire() {
    assertThatThrownBy(() -> new ObjectMapper().readValue("{\"query\":\"x\",\"mode\":\"fuzzy\"}", QueryRequest.class))
        .hasMessageContaining("mode (fuzzy) must be one of semantic, fts, hybrid");
  }
}
