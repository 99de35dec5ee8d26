package dev.cidx.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code per_file}: one file's many chunks give way to other files, in every mode. Real model and indexer. */
class PerFileLimitTest {
  @TempDir Path root;
  RepoPaths repo;
  final Embedder embedder = TestModels.shared(EmbeddingModel.BGE_SMALL_EN_V15);

  @BeforeEach
  void indexRepository() throws Exception {
    repo = TestRepo.create(root);
    Files.createDirectories(root.resolve("src"));
    StringBuilder big = new StringBuilder("package demo;\n\nfinal class Retries {\n");
    for (int m = 0; m < 6; m++) {
      big.append("  void retry").append(m).append("(Request request) {\n");
      for (int i = 0; i < 30; i++) {
        big.append("    retryWithBackoff(request, ").append(m * 100 + i).append(");\n");
      }
      big.append("  }\n\n");
    }
    Files.writeString(root.resolve("src/Retries.java"), big.append("}\n").toString());
    Files.writeString(root.resolve("src/Client.java"),
        "package demo;\n\nfinal class Client {\n  void send(Request request) { retryWithBackoff(request, 1); }\n}\n");
    new Indexer(repo, CidxConfig.defaults(), () -> embedder).run(false, IndexProgress.NONE, () -> false);
  }

  private Map<String, Long> hitsPerFile(SearchMode mode, Integer perFile) throws Exception {
    QueryRequest.Builder request = QueryRequest.builder("retry with backoff").mode(mode).limit(10);
    if (perFile != null) {
      request.perFile(perFile);
    }
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      List<Hit> hits = new Searcher(embedder, snapshot).query(request.build()).results();
      return hits.stream().collect(Collectors.groupingBy(Hit::path, Collectors.counting()));
    }
  }

  @Test
  void withoutALimit_oneFileFillsTheResults() throws Exception {
    assertThat(hitsPerFile(SearchMode.FTS, 0).get("src/Retries.java")).isGreaterThan(2);
  }

  @Test
  void aLimitOfOne_leavesOneHitPerFile_andRoomForTheOtherFile() throws Exception {
    for (SearchMode mode : SearchMode.values()) {
      assertThat(hitsPerFile(mode, 1)).as(mode.name())
          .containsExactlyInAnyOrderEntriesOf(Map.of("src/Retries.java", 1L, "src/Client.java", 1L));
    }
  }

  @Test
  void aLimitOfTwo_allowsTwoHitsFromOneFile() throws Exception {
    assertThat(hitsPerFile(SearchMode.HYBRID, 2)).containsEntry("src/Retries.java", 2L);
  }

  @Test
  void aNegativeLimit_isRefusedWithItsValue() {
    assertThatThrownBy(() -> QueryRequest.builder("x").perFile(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("per_file (-1) must not be negative (0 means no limit)");
  }
}
