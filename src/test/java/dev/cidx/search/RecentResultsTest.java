package dev.cidx.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedder;
import dev.cidx.embed.EmbeddingModel;
import dev.cidx.embed.TestModels;
import dev.cidx.index.IndexProgress;
import dev.cidx.index.IndexSnapshot;
import dev.cidx.index.Indexer;
import dev.cidx.protocol.Hit;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.SearchMode;
import dev.cidx.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A request asked again on the same snapshot is answered from {@link RecentResults}; real model and index. */
class RecentResultsTest {
  @TempDir Path root;
  RepoPaths repo;
  final Embedder embedder = TestModels.shared(EmbeddingModel.BGE_SMALL_EN_V15);

  @BeforeEach
  void indexRepository() throws Exception {
    repo = TestRepo.create(root);
    Files.createDirectories(root.resolve("src"));
    Files.writeString(root.resolve("src/Retry.java"),
        "package demo;\n\nfinal class Retry {\n  void retryWithBackoff(Request request) { sleep(backoff); }\n}\n");
    Files.writeString(root.resolve("src/Cache.java"),
        "package demo;\n\nfinal class Cache {\n  Object lookup(String key) { return map.get(key); }\n}\n");
    new Indexer(repo, CidxConfig.defaults(), () -> embedder).run(false, IndexProgress.NONE, () -> false);
  }

  @Test
  void theSameRequestAgain_getsTheSameHits_withoutSearchingAgain() throws Exception {
    QueryRequest request = QueryRequest.builder("retry with backoff").mode(SearchMode.HYBRID).build();
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      Searcher searcher = new Searcher(embedder, snapshot);
      QueryResult first = searcher.query(request);
      assertThat(first.results()).isNotEmpty();
      assertThat(searcher.remembered()).isEqualTo(1);
      QueryResult again = searcher.query(QueryRequest.builder("retry with backoff").mode(SearchMode.HYBRID).build());
      assertThat(again.results()).isEqualTo(first.results());
      assertThat(searcher.remembered()).isEqualTo(1);
      searcher.query(request.toBuilder().limit(3).build()); // another request: searched, and kept beside it
      assertThat(searcher.remembered()).isEqualTo(2);
    }
  }

  @Test
  void aRememberedAnswer_looksAtStalenessAnew() throws Exception {
    QueryRequest request = QueryRequest.builder("retryWithBackoff").mode(SearchMode.FTS).build();
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      Searcher searcher = new Searcher(embedder, snapshot);
      Hit hit = searcher.query(request).results().get(0);
      assertThat(hit.path()).isEqualTo("src/Retry.java");
      assertThat(hit.stale()).isFalse();
      Path file = root.resolve("src/Retry.java");
      Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5_000));
      assertThat(searcher.query(request).results().get(0).stale()).isTrue();
      assertThat(searcher.remembered()).isEqualTo(1);
    }
  }

  @Test
  void bounds_keepTheNewestEntries_andNeverMoreHitsThanTheCap() {
    RecentResults recent = new RecentResults();
    for (int i = 0; i < RecentResults.MAX_ENTRIES + 10; i++) {
      recent.put(request("q" + i), answer(1));
    }
    assertThat(recent.size()).isEqualTo(RecentResults.MAX_ENTRIES);
    assertThat(recent.get(request("q0"))).isNull();
    assertThat(recent.get(request("q" + (RecentResults.MAX_ENTRIES + 9)))).isNotNull();

    RecentResults big = new RecentResults();
    int quarter = RecentResults.MAX_HITS / 4;
    for (int i = 0; i < 5; i++) {
      big.put(request("big" + i), answer(quarter));
    }
    assertThat(big.size()).isEqualTo(4); // 5 quarters do not fit: the eldest went
    assertThat(big.get(request("big0"))).isNull();
    big.put(request("huge"), answer(quarter + 1)); // larger than a quarter: never kept
    assertThat(big.get(request("huge"))).isNull();
  }

  private static QueryRequest request(String q) {
    return QueryRequest.builder(q).mode(SearchMode.FTS).build();
  }

  private static RecentResults.Answer answer(int hits) {
    List<Hit> list = new ArrayList<>(hits);
    for (int i = 0; i < hits; i++) {
      list.add(new Hit("f" + i, 1, 1, 1, "java", "", 1, null, 1, List.of(), false));
    }
    return new RecentResults.Answer(new QueryResult("q", SearchMode.FTS, 1, QueryResult.VIA_STANDALONE, list),
        new long[hits]);
  }
}
