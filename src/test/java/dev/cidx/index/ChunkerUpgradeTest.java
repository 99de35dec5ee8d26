package dev.cidx.index;

import dev.cidx.protocol.Messages.IndexResult;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedder;
import dev.cidx.embed.EmbeddingModel;
import dev.cidx.embed.TestModels;
import dev.cidx.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An index cut by an older chunker is re-chunked by the next run, re-embedding only what changed. */
class ChunkerUpgradeTest {
  private static final String PATH = "src/Mailer.java";

  @TempDir Path root;
  final Embedder embedder = TestModels.shared(EmbeddingModel.BGE_SMALL_EN_V15);

  /** IndexerTest's files, indexed by this version. */
  private RepoPaths indexedRepository() throws Exception {
    RepoPaths repo = TestRepo.create(root);
    for (Map.Entry<String, String> f : IndexerTest.FILES.entrySet()) {
      Path file = root.resolve(f.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, f.getValue());
    }
    index(repo);
    return repo;
  }

  private IndexResult index(RepoPaths repo) throws Exception {
    return new Indexer(repo, CidxConfig.defaults(), () -> embedder).run(false, IndexProgress.NONE, () -> false);
  }

  @Test
  void anIndexWithoutTheChunkerVersion_isRechunkedWhole_andOnlyChangedChunksAreEmbedded() throws Exception {
    RepoPaths repo = indexedRepository();
    Set<Long> current;
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      current = IndexerTest.hashesOf(snapshot, PATH);
    }

    // What the window chunker of the last version left: one chunk of the whole file, no context line,
    // and a commit that names no chunker.
    String text = IndexerTest.FILES.get(PATH);
    Chunk old = new Chunk(PATH, "java", 1, (int) text.lines().count(), text.stripTrailing());
    try (Directory dir = FSDirectory.open(repo.indexDir());
        IndexWriter writer = new IndexWriter(dir,
            ChunkDocuments.writerConfig().setOpenMode(IndexWriterConfig.OpenMode.APPEND))) {
      writer.deleteDocuments(new BooleanQuery.Builder()
          .add(new TermQuery(new Term(ChunkFields.KIND, ChunkFields.KIND_CHUNK)), BooleanClause.Occur.FILTER)
          .add(new TermQuery(new Term(ChunkFields.PATH, PATH)), BooleanClause.Occur.FILTER)
          .build());
      Document doc = ChunkDocuments.chunk(old, Files.getLastModifiedTime(root.resolve(PATH)).toMillis());
      writer.addDocument(doc);
      Map<String, String> data = new HashMap<>(SegmentInfos.readLatestCommit(dir).getUserData());
      data.remove(Indexer.CHUNKER_VERSION);
      writer.setLiveCommitData(data.entrySet());
      writer.commit();
    }
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      assertThat(IndexerTest.hashesOf(snapshot, PATH)).containsExactly(old.contentHash());
    }

    IndexResult upgrade = index(repo);

    assertThat(upgrade.filesIndexed()).isEqualTo(IndexerTest.FILES.size());
    assertThat(upgrade.chunksEmbedded()).as("every chunk's text is in the embedding cache already").isZero();
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo);
        Directory dir = FSDirectory.open(repo.indexDir())) {
      assertThat(IndexerTest.hashesOf(snapshot, PATH)).isEqualTo(current).doesNotContain(old.contentHash());
      assertThat(SegmentInfos.readLatestCommit(dir).getUserData())
          .containsEntry(Indexer.CHUNKER_VERSION, Chunker.VERSION);
    }
    assertThat(index(repo).filesIndexed()).as("a second run finds nothing to do").isZero();
  }

  @Test
  void anIndexWithOlderFields_isRechunkedWhole_withoutEmbeddingAnything() throws Exception {
    RepoPaths repo = indexedRepository();
    // What the last version left: the same chunks, in documents without the name fields.
    try (Directory dir = FSDirectory.open(repo.indexDir());
        IndexWriter writer = new IndexWriter(dir,
            ChunkDocuments.writerConfig().setOpenMode(IndexWriterConfig.OpenMode.APPEND))) {
      writer.deleteDocuments(new TermQuery(new Term(ChunkFields.KIND, ChunkFields.KIND_CHUNK)));
      Map<String, String> data = new HashMap<>(SegmentInfos.readLatestCommit(dir).getUserData());
      data.remove(Indexer.FIELDS_VERSION);
      writer.setLiveCommitData(data.entrySet());
      writer.commit();
    }

    IndexResult upgrade = index(repo);

    assertThat(upgrade.filesIndexed()).isEqualTo(IndexerTest.FILES.size());
    assertThat(upgrade.chunksEmbedded()).isZero();
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo);
        Directory dir = FSDirectory.open(repo.indexDir())) {
      assertThat(snapshot.searcher().count(new TermQuery(new Term(ChunkFields.FILE_NAME, "mailer"))))
          .as("the chunks of Mailer.java, found by their file name").isPositive();
      assertThat(SegmentInfos.readLatestCommit(dir).getUserData())
          .containsEntry(Indexer.FIELDS_VERSION, ChunkDocuments.FIELDS_VERSION);
    }
  }
}
