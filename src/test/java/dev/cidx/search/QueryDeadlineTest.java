package dev.cidx.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cidx.protocol.QueryRequest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class QueryDeadlineTest {
  private final AtomicLong now = new AtomicLong(1_000);

  @Test
  void expires_whenTheBudgetIsSpent_notBefore() throws SearchException {
    QueryDeadline deadline = QueryDeadline.after(Duration.ofSeconds(30), now::get);
    now.addAndGet(Duration.ofSeconds(29).toNanos());
    assertThat(deadline.expired()).isFalse();
    deadline.check();
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(deadline.expired()).isTrue();
  }

  @Test
  void check_pastTheDeadline_failsWithATimeout_sayingWhatToDo() {
    QueryDeadline deadline = QueryDeadline.after(Duration.ofSeconds(30), now::get);
    now.addAndGet(Duration.ofSeconds(31).toNanos());
    assertThatThrownBy(deadline::check)
        .isInstanceOf(SearchException.class)
        .hasMessage("the query took longer than 30 s and was cancelled; narrow it or raise daemon.query_timeout_seconds")
        .satisfies(e -> assertThat(((SearchException) e).reason()).isEqualTo(SearchException.Reason.TIMEOUT));
  }

  @Test
  void aFractionalBudget_isPrintedAsItWasSet() {
    QueryDeadline deadline = QueryDeadline.after(Duration.ofMillis(2500), now::get);
    assertThat(deadline.timedOut()).hasMessageStartingWith("the query took longer than 2.5 s ");
  }

  @Test
  void none_neverExpires() {
    assertThat(QueryDeadline.NONE.expired()).isFalse();
    assertThat(QueryDeadline.after(null)).isSameAs(QueryDeadline.NONE);
  }

  @Test
  void highlighting_stopsAtTheDeadline() {
    QueryDeadline deadline = QueryDeadline.after(Duration.ofSeconds(1), now::get);
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    QueryRequest request = QueryRequest.builder("parse").build();
    String chunk = "parse the header line ".repeat(100);
    assertThatThrownBy(() -> FullTextSearch.matchedTerms(chunk, FullTextSearch.matcher(request), deadline))
        .isInstanceOf(SearchException.class)
        .satisfies(e -> assertThat(((SearchException) e).reason()).isEqualTo(SearchException.Reason.TIMEOUT));
  }
}
