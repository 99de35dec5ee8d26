package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.Test;

class ChunkDocumentsTest {
  private static final Chunk CHUNK = new Chunk("src/Foo.java", "java", 3, 4, "class Foo {\n  int fooBar;\n}");

  @Test
  void chunkAndFileDocuments_roundTripThroughAnIndex() throws IOException {
    SourceFile file = new SourceFile(Path.of("/repo/src/Foo.java"), "src/Foo.java", 42, 7_000L, "java");
    try (ByteBuffersDirectory directory = new ByteBuffersDirectory()) {
      try (IndexWriter writer = new IndexWriter(directory, ChunkDocuments.writerConfig())) {
        writer.addDocument(ChunkDocuments.chunk(CHUNK, 7_000L));
        writer.addDocument(ChunkDocuments.file(file, "abc123", 1));
      }
      try (DirectoryReader reader = DirectoryReader.open(directory)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        int chunkDoc = searcher.search(new TermQuery(new Term(ChunkFields.KIND, ChunkFields.KIND_CHUNK)), 2)
            .scoreDocs[0].doc;
        int fileDoc = searcher.search(new TermQuery(new Term(ChunkFields.KIND, ChunkFields.KIND_FILE)), 2)
            .scoreDocs[0].doc;

        Document chunk = searcher.storedFields().document(chunkDoc);
        assertThat(chunk.get(ChunkFields.PATH)).isEqualTo("src/Foo.java");
        assertThat(chunk.get(ChunkFields.LANGUAGE)).isEqualTo("java");
        assertThat(chunk.getField(ChunkFields.START_LINE).numericValue()).isEqualTo(3);
        assertThat(chunk.getField(ChunkFields.END_LINE).numericValue()).isEqualTo(4);
        assertThat(chunk.get(ChunkFields.CONTENT)).isEqualTo(CHUNK.text());
        assertThat(chunk.get(ChunkFields.CONTENT_CASE)).isNull();
        assertThat(chunk.getField(ChunkFields.HASH).numericValue()).isEqualTo(CHUNK.contentHash());
        assertThat(chunk.getField(ChunkFields.FILE_MTIME).numericValue()).isEqualTo(7_000L);

        Document fileFields = searcher.storedFields().document(fileDoc);
        assertThat(fileFields.get(ChunkFields.PATH)).isEqualTo("src/Foo.java");
        assertThat(fileFields.get(ChunkFields.FILE_HASH)).isEqualTo("abc123");
        assertThat(fileFields.getField(ChunkFields.FILE_SIZE).numericValue()).isEqualTo(42L);
        assertThat(fileFields.getField(ChunkFields.CHUNK_COUNT).numericValue()).isEqualTo(1);
        assertThat(fileFields.getField(ChunkFields.FILE_MTIME).numericValue()).isEqualTo(7_000L);

        LeafReader leaf = reader.leaves().get(0).reader();
        NumericDocValues hashes = leaf.getNumericDocValues(ChunkFields.HASH);
        assertThat(hashes.advanceExact(chunkDoc)).isTrue();
        assertThat(hashes.longValue()).isEqualTo(CHUNK.contentHash());
        SortedDocValues paths = leaf.getSortedDocValues(ChunkFields.PATH);
        assertThat(paths.advanceExact(fileDoc)).isTrue();
        assertThat(paths.lookupOrd(paths.ordValue()).utf8ToString()).isEqualTo("src/Foo.java");
        assertThat(searcher.count(LongPoint.newExactQuery(ChunkFields.HASH, CHUNK.contentHash()))).isEqualTo(1);
      }
    }
  }

  @Test
  void contentIsLowercased_butContentCaseKeepsCase() throws IOException {
    try (ByteBuffersDirectory directory = new ByteBuffersDirectory()) {
      try (IndexWriter writer = new IndexWriter(directory, ChunkDocuments.writerConfig())) {
        writer.addDocument(ChunkDocuments.chunk(CHUNK, 0L));
      }
      try (DirectoryReader reader = DirectoryReader.open(directory)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        assertThat(searcher.count(new TermQuery(new Term(ChunkFields.CONTENT, "foo")))).isEqualTo(1);
        assertThat(searcher.count(new TermQuery(new Term(ChunkFields.CONTENT, "Foo")))).isZero();
        assertThat(searcher.count(new TermQuery(new Term(ChunkFields.CONTENT_CASE, "Foo")))).isEqualTo(1);
        assertThat(searcher.count(new TermQuery(new Term(ChunkFields.CONTENT_CASE, "Bar")))).isEqualTo(1);
        assertThat(searcher.count(new TermQuery(new Term(ChunkFields.CONTENT_CASE, "bar")))).isZero();
      }
    }
  }

  @Test
  void writerConfig_scoresWithBm25() {
    assertThat(ChunkDocuments.writerConfig().getSimilarity()).isInstanceOf(BM25Similarity.class);
  }
}
