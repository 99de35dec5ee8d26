package dev.cidx.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.SearchMode;
import org.junit.jupiter.api.Test;

class SearchCursorTest {
  private final String fingerprint = SearchCursor.fingerprint(QueryRequest.builder("upload").build());

  @Test
  void encode_decode_roundTrips() {
    SearchCursor cursor = new SearchCursor(20, 50, fingerprint);
    assertThat(SearchCursor.decode(cursor.encode(), fingerprint)).isEqualTo(cursor);
  }

  @Test
  void fingerprint_ignoresThePageSizeButNotTheQueryOrItsOptions() {
    assertThat(SearchCursor.fingerprint(QueryRequest.builder("upload").limit(3).build())).isEqualTo(fingerprint);
    assertThat(SearchCursor.fingerprint(QueryRequest.builder("upload").mode(SearchMode.FTS).build()))
        .isNotEqualTo(fingerprint);
    assertThat(SearchCursor.fingerprint(QueryRequest.builder("uploads").build())).isNotEqualTo(fingerprint);
  }

  @Test
  void aCursorOfAnotherSearchIsRefused() {
    String other = new SearchCursor(10, 50, SearchCursor.fingerprint(QueryRequest.builder("x").build())).encode();
    assertThatThrownBy(() -> SearchCursor.decode(other, fingerprint))
        .hasMessage("cursor belongs to another search: repeat that search's query and options");
  }

  @Test
  void somethingThatIsNoCursorIsRefused() {
    for (String bad : new String[] {"", "nonsense", "!!!", "YzE6LTE6NTA6eA"}) {
      assertThatThrownBy(() -> SearchCursor.decode(bad, fingerprint)).as(bad)
          .hasMessageStartingWith("cursor ");
    }
  }
}
