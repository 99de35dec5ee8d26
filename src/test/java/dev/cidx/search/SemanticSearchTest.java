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
import dev.cidx.protocol.SearchMode;
import dev.cidx.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Semantic search over a commit whose vectors are split between the HNSW base and a delta: changed
 * chunks are found in the delta, and chunks changed or deleted since the base was built never come back
 * although the base still holds their vectors. Real model and real indexer.
 */
class SemanticSearchTest {
  private static final String[][] TOPICS = {
      {"Sorter", "sorts a list of integers in ascending order with quicksort"},
      {"Mailer", "sends an email message over SMTP with a subject and body"},
      {"Thumbnail", "scales a photo down to a small thumbnail image"},
      {"RetryPolicy", "retries a failed network request with exponential backoff"},
      {"Tokenizer", "splits a sentence into words at whitespace and punctuation"},
      {"PasswordHasher", "hashes a user password with a random salt"},
      {"Invoice", "computes the total price of an invoice including tax"},
      {"CsvReader", "parses comma separated values into rows of fields"},
      {"Weather", "fetches the temperature forecast for a city"},
      {"Matrix", "multiplies two square matrices of doubles"},
      {"Cache", "evicts the least recently used entry when the cache is full"},
      {"Logger", "writes timestamped log lines to a rotating file"}};

  @TempDir Path root;
  RepoPaths repo;
  final Embedder embedder = TestModels.shared(EmbeddingModel.BGE_SMALL_EN_V15);

  @BeforeEach
  void indexRepository() throws Exception {
    repo = TestRepo.create(root);
    for (String[] t : TOPICS) {
      write(t[0], t[1]);
    }
    index();
  }

  private void write(String name, String doc) throws IOException {
    Path file = root.resolve("src/" + name + ".java");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "package demo;\n\n/** " + doc + ". */\nfinal class " + name + " {\n  void run() {}\n}\n");
  }

  private void index() throws Exception {
    assertThat(new Indexer(repo, CidxConfig.defaults(), () -> embedder).run(false, IndexProgress.NONE, () -> false)
        .committed()).isTrue();
  }

  private List<Hit> query(IndexSnapshot snapshot, String text, int limit, String pathFilter) throws Exception {
    QueryRequest.Builder request = QueryRequest.builder(text).mode(SearchMode.SEMANTIC).limit(limit);
    if (pathFilter != null) {
      request.pathFilter(pathFilter);
    }
    return new Searcher(embedder, snapshot).query(request.build()).results();
  }

  private static List<String> paths(List<Hit> hits) {
    return hits.stream().map(Hit::path).toList();
  }

  @Test
  void aChangedChunk_isFoundInTheDelta_andItsOldTextNeverComesBack() throws Exception {
    write("Mailer", "renders a birthday card with balloons and confetti");
    index();

    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      assertThat(snapshot.commit().deltaFile()).isPresent();
      List<Hit> found = query(snapshot, "a birthday card with balloons", 1, null);
      assertThat(paths(found)).containsExactly("src/Mailer.java");
      assertThat(found.get(0).snippet()).contains("balloons");

      List<Hit> filtered = query(snapshot, "a birthday card with balloons", 1, "src/Mailer.java");
      assertThat(paths(filtered)).containsExactly("src/Mailer.java");
      assertThat(filtered.get(0).score()).isCloseTo(found.get(0).score(), Offset.offset(1e-5));

      List<Hit> all = query(snapshot, "send an email over SMTP", 50, null);
      assertThat(all).hasSize(TOPICS.length).noneMatch(h -> h.snippet().contains("SMTP"));
      assertThat(query(snapshot, "send an email over SMTP", 50, "src/**"))
          .hasSize(TOPICS.length).noneMatch(h -> h.snippet().contains("SMTP"));
    }
  }

  @Test
  void deletedFiles_neverComeBack_thoughTheBaseStillHoldsTheirVectors() throws Exception {
    String baseFile;
    try (IndexSnapshot before = IndexSnapshot.open(repo)) {
      baseFile = before.commit().vectorsFile();
    }
    Files.delete(root.resolve("src/Cache.java"));
    Files.delete(root.resolve("src/Logger.java"));
    index();

    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      assertThat(snapshot.commit().vectorsFile()).isEqualTo(baseFile);
      assertThat(snapshot.vectors().size()).isEqualTo(TOPICS.length); // the dead vectors are still there
      String cacheQuery = "evicts the least recently used entry when the cache is full";
      // The two nearest base vectors are dead: the search must go past them and still fill the limit.
      assertThat(paths(query(snapshot, cacheQuery, 3, null)))
          .hasSize(3).doesNotContain("src/Cache.java", "src/Logger.java");
      assertThat(paths(query(snapshot, cacheQuery, 50, null)))
          .hasSize(TOPICS.length - 2).doesNotContain("src/Cache.java", "src/Logger.java");
      assertThat(paths(query(snapshot, cacheQuery, 50, "src/**")))
          .hasSize(TOPICS.length - 2).doesNotContain("src/Cache.java", "src/Logger.java");
      assertThat(query(snapshot, cacheQuery, 50, "src/Cache.java")).isEmpty();
    }
  }

  @Test
  void graphAndDelta_rankAsAnExactScanOfEveryChunkDoes() throws Exception {
    write("Mailer", "renders a birthday card with balloons and confetti");
    write("Weather", "counts the sheep in a field at dusk"); // two dead of twelve: under the rebuild limit
    index();

    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      assertThat(snapshot.deltaVectors().size()).isEqualTo(2);
      for (String q : List.of("party decorations", "farm animals", "sort numbers", "send an email over SMTP")) {
        for (int limit : new int[] {1, 5}) {
          List<Hit> merged = query(snapshot, q, limit, null); // base graph + delta scan
          List<Hit> exact = query(snapshot, q, limit, "src/**"); // every allowed chunk scored exactly
          assertThat(paths(merged)).as(q).isEqualTo(paths(exact));
          for (int i = 0; i < merged.size(); i++) {
            assertThat(merged.get(i).score()).as(q).isCloseTo(exact.get(i).score(), Offset.offset(1e-5));
          }
        }
      }
    }
  }

  @Test
  void aSnapshotOpenedBeforeACommit_keepsAnsweringFromIt_andAReopenedOneSeesTheNewVectors() throws Exception {
    try (IndexSnapshot old = IndexSnapshot.open(repo)) {
      write("Mailer", "renders a birthday card with balloons and confetti");
      index();

      List<Hit> fromOld = query(old, "send an email over SMTP", 1, null);
      assertThat(paths(fromOld)).containsExactly("src/Mailer.java");
      assertThat(fromOld.get(0).snippet()).contains("SMTP");
      assertThat(query(old, "a birthday card with balloons", 50, null))
          .noneMatch(h -> h.snippet().contains("balloons"));

      try (IndexSnapshot reopened = IndexSnapshot.open(repo)) {
        List<Hit> fromNew = query(reopened, "a birthday card with balloons", 1, null);
        assertThat(paths(fromNew)).containsExactly("src/Mailer.java");
        assertThat(fromNew.get(0).snippet()).contains("balloons");
      }
    }
  }

  @Test
  void descendingKeys_sortSimilaritiesBestFirst() {
    float[] best = {1f, 0.75f, 0.5f, 0.25f, Float.MIN_VALUE, 0f, -0f, -Float.MIN_VALUE, -0.25f, -0.5f, -1f};
    for (int i = 0; i + 1 < best.length; i++) {
      assertThat(SemanticSearch.descending(best[i])).as(best[i] + " before " + best[i + 1])
          .isLessThan(SemanticSearch.descending(best[i + 1]));
    }
  }
}
