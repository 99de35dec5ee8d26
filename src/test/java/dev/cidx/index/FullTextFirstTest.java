package dev.cidx.index;

import dev.cidx.protocol.Messages.IndexResult;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedder;
import dev.cidx.embed.EmbeddingModel;
import dev.cidx.embed.TestModels;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.SearchMode;
import dev.cidx.search.Searcher;
import dev.cidx.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.TermQuery;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full text first: a run with much to embed commits its full-text index before embedding, then
 * checkpoints as it embeds; a stopped run leaves every file searchable by full text, some by meaning,
 * and the next run embeds the rest without rechunking anything.
 */
class FullTextFirstTest {
  /** One chunk per file; the embedding pass takes them {@link EmbeddingPass#BATCH} at a time. */
  static final int FILES = 40;

  @TempDir Path root;
  RepoPaths repo;
  final Embedder embedder = TestModels.shared(EmbeddingModel.BGE_SMALL_EN_V15);
  final List<IndexProgress.Snapshot> seen = new ArrayList<>();

  @BeforeEach
  void writeRepository() throws IOException {
    repo = TestRepo.create(root);
    Files.createDirectories(root.resolve("src"));
    for (int i = 0; i < FILES; i++) {
      Files.writeString(root.resolve("src/Topic" + i + ".java"),
          IndexerTest.javaClass("Topic" + i, "handles topic number " + i + " with word" + i));
    }
  }

  /** Runs with {@code schedule}, cancelling once a progress report matches {@code stopWhen}. */
  private IndexResult index(CommitSchedule schedule, Predicate<IndexProgress.Snapshot> stopWhen) throws Exception {
    return new Indexer(repo, CidxConfig.defaults(), () -> embedder, CompactionPolicy.DEFAULT, schedule)
        .run(false, seen::add, () -> !seen.isEmpty() && stopWhen.test(seen.get(seen.size() - 1)));
  }

  private CommitInfo commit() throws IOException {
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      return snapshot.commit();
    }
  }

  private long filesFoundByText() throws IOException {
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      long found = 0;
      for (int i = 0; i < FILES; i++) {
        found += snapshot.searcher().count(new TermQuery(new Term(ChunkFields.CONTENT, "word" + i)));
      }
      return found;
    }
  }

  @Test
  void aRunStoppedAfterItsTextCommitLeavesEveryFileSearchableByText() throws Exception {
    IndexResult stopped = index(new CommitSchedule(0, 1_000, Duration.ofHours(1)), IndexProgress.Snapshot::textCommitted);

    assertThat(stopped.cancelled()).isTrue();
    assertThat(stopped.committed()).as("the full-text commit stays").isTrue();
    assertThat(filesFoundByText()).isEqualTo(FILES);
    CommitInfo commit = commit();
    assertThat(commit.chunks()).isEqualTo(FILES);
    assertThat(commit.embeddedChunks()).isZero();
    assertThat(commit.semanticCoverage()).isZero();
    assertThat(seen).anyMatch(p -> p.phase() == IndexProgress.Phase.CHUNKING);
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      Searcher searcher = new Searcher(embedder, snapshot);
      QueryResult hybrid = searcher.query(QueryRequest.builder("word7").mode(SearchMode.HYBRID).build());
      assertThat(hybrid.results()).as("the full-text half answers").isNotEmpty();
      assertThat(hybrid.results().get(0).path()).isEqualTo("src/Topic7.java");
      assertThat(hybrid.semanticCoverage()).isZero();
      assertThat(hybrid.warnings()).singleElement().asString().startsWith("semantic search covers 0 % of the repository");
      QueryResult semantic = searcher.query(QueryRequest.builder("topic seven").mode(SearchMode.SEMANTIC).build());
      assertThat(semantic.results()).as("no vectors yet").isEmpty();
      QueryResult fts = searcher.query(QueryRequest.builder("word7").mode(SearchMode.FTS).build());
      assertThat(fts.semanticCoverage()).isNull();
      assertThat(fts.warnings()).isEmpty();
    }
  }

  @Test
  void checkpointsCommitVectorsAsTheyAreEmbeddedAndTheNextRunEmbedsOnlyTheRest() throws Exception {
    int batch = EmbeddingPass.BATCH;
    IndexResult stopped = index(new CommitSchedule(0, batch, Duration.ofHours(1)), p -> p.chunksEmbedded() >= 2 * batch);

    assertThat(stopped.cancelled()).isTrue();
    CommitInfo partial = commit();
    assertThat(partial.embeddedChunks()).as("two checkpoints, one per batch").isEqualTo(2 * batch);
    assertThat(partial.fullyEmbedded()).isFalse();

    seen.clear();
    IndexResult resumed = index(CommitSchedule.DEFAULT, p -> false);

    assertThat(resumed.committed()).isTrue();
    assertThat(resumed.filesIndexed()).as("nothing on disk changed: nothing is rechunked").isZero();
    assertThat(resumed.chunksEmbedded()).isEqualTo(FILES - 2 * batch);
    assertThat(commit().fullyEmbedded()).isTrue();
    assertThat(commit().semanticCoverage()).isEqualTo(1.0);
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      QueryResult semantic = new Searcher(embedder, snapshot)
          .query(QueryRequest.builder("handles topic number 39").mode(SearchMode.SEMANTIC).build());
      assertThat(semantic.results()).as("the last chunks embedded are found by meaning").isNotEmpty();
      assertThat(semantic.semanticCoverage()).isEqualTo(1.0);
      assertThat(semantic.warnings()).isEmpty();
    }
  }

  @Test
  void aCompleteIndexWithNothingChangedIsLeftAlone() throws Exception {
    index(CommitSchedule.DEFAULT, p -> false);
    CommitInfo first = commit();

    IndexResult again = index(CommitSchedule.DEFAULT, p -> false);

    assertThat(again.committed()).isFalse();
    assertThat(commit().indexedAt()).isEqualTo(first.indexedAt());
  }
}
