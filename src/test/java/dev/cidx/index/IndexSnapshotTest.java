package dev.cidx.index;

import dev.cidx.protocol.Messages.IndexResult;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedder;
import dev.cidx.embed.EmbeddingModel;
import dev.cidx.embed.TestModels;
import dev.cidx.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.lucene.index.DirectoryReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reopening a snapshot after a commit: what it shares with the one before, and that it equals a fresh open. */
class IndexSnapshotTest {
  @TempDir Path root;
  RepoPaths repo;
  final Embedder embedder = TestModels.shared(EmbeddingModel.BGE_SMALL_EN_V15);

  @BeforeEach
  void indexRepository() throws Exception {
    repo = TestRepo.create(root);
    for (Map.Entry<String, String> f : IndexerTest.FILES.entrySet()) {
      write(f.getKey(), f.getValue());
    }
    write("docs/notes.md", "# Notes\n\nHow the invoices are computed.\n");
    index();
  }

  private void write(String path, String text) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private void index() throws Exception {
    IndexResult run = new Indexer(repo, CidxConfig.defaults(), () -> embedder, CompactionPolicy.DEFAULT,
        CommitSchedule.DEFAULT).run(false, IndexProgress.NONE, () -> false);
    assertThat(run.committed()).isTrue();
  }

  @Test
  void reopenIfChanged_isNull_whenNothingWasCommitted() throws Exception {
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      assertThat(snapshot.reopenIfChanged()).isNull();
    }
  }

  @Test
  void reopenAfterAnIncrementalCommit_sharesTheBase_andEqualsAFreshOpen() throws Exception {
    try (IndexSnapshot old = IndexSnapshot.open(repo)) {
      VectorStore base = old.vectors();
      write("src/Mailer.java", IndexerTest.javaClass("Mailer", "delivers newsletters to every subscriber"));
      Files.delete(root.resolve("docs/notes.md"));
      index();
      assertThat(old.isCurrent()).isFalse();

      try (IndexSnapshot reopened = old.reopenIfChanged(); IndexSnapshot fresh = IndexSnapshot.open(repo)) {
        assertThat(reopened.commit()).isEqualTo(fresh.commit());
        assertThat(reopened.commit().vectorsFile()).isEqualTo(old.commit().vectorsFile());
        assertThat(reopened.vectors()).isSameAs(base);
        assertThat(IndexerTest.deltaHashes(reopened.deltaVectors()))
            .isEqualTo(IndexerTest.deltaHashes(fresh.deltaVectors())).isNotEmpty();
        assertThat(reopened.paths()).isEqualTo(fresh.paths()).doesNotContain("docs/notes.md")
            .contains("src/Mailer.java");
        assertThat(reopened.languages()).isEqualTo(fresh.languages());
        assertThat(old.languages()).containsAll(reopened.languages()).hasSize(reopened.languages().size() + 1);
        assertThat(docsByHash(reopened)).isEqualTo(docsByHash(fresh));
        assertThat(IndexerTest.hashesOf(reopened, "src/Mailer.java"))
            .isEqualTo(IndexerTest.hashesOf(fresh, "src/Mailer.java"))
            .isNotEqualTo(IndexerTest.hashesOf(old, "src/Mailer.java"));
      }
      // The old snapshot is still whole after its successor closed: they share only what neither closes alone.
      assertThat(old.paths()).contains("docs/notes.md");
      assertThat(IndexerTest.hashesOf(old, "src/Mailer.java")).isNotEmpty();
      assertThat(old.chunk(0).path()).isNotEmpty();
    }
  }

  /** Every live chunk's hash mapped to its documents, through the snapshot's own tables. */
  private static Map<Long, String> docsByHash(IndexSnapshot s) throws IOException {
    DirectoryReader reader = (DirectoryReader) s.searcher().getIndexReader();
    Map<Long, String> out = new TreeMap<>();
    for (long hash : Indexer.liveHashCounts(reader).keySet()) {
      StringBuilder paths = new StringBuilder();
      for (int doc : s.docsWithHash(hash)) {
        assertThat(s.hashOf(doc)).isEqualTo(hash);
        paths.append(s.chunk(doc).path()).append(':').append(s.chunk(doc).startLine()).append(' ');
      }
      out.put(hash, paths.toString());
    }
    return out;
  }

  @Test
  void aBaseReadOnAnotherThreadSinceTheOpen_equalsOneReadOnFirstUse() throws Exception {
    List<Thread> readers = new ArrayList<>();
    Executor ownThread = task -> {
      Thread t = new Thread(task, "test-base-reader");
      readers.add(t);
      t.start();
    };
    try (IndexSnapshot early = IndexSnapshot.open(repo, ownThread); IndexSnapshot lazy = IndexSnapshot.open(repo)) {
      assertThat(readers).hasSize(1);
      VectorStore read = early.vectors();
      assertThat(read.hashes()).isEqualTo(lazy.vectors().hashes()).isNotEmpty();
      for (long hash : read.hashes()) {
        assertThat(read.vector(hash).orElseThrow()).isEqualTo(lazy.vectors().vector(hash).orElseThrow());
      }
      assertThat(early.openTimes()).contains("HNSW base");
    }
  }

  @Test
  void closingASnapshotWhoseBaseIsStillBeingRead_closesIt() throws Exception {
    CompletableFuture<Runnable> held = new CompletableFuture<>();
    IndexSnapshot snapshot = IndexSnapshot.open(repo, held::complete); // the read has not started
    snapshot.close();
    held.join().run(); // reads from a closed file: fails on its own thread, and nobody waits for it
    assertThatThrownBy(snapshot::vectors).isInstanceOf(IOException.class).hasMessageContaining("closed");
  }
}
