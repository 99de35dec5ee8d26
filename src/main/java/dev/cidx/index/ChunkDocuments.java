package dev.cidx.index;

import java.util.Map;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.util.BytesRef;

/** Builds the Lucene documents described in {@link ChunkFields}, and the writer settings they need. */
public final class ChunkDocuments {
  /**
   * The fields chunk documents carry; recorded in each commit beside {@link Chunker#VERSION}, and a
   * change re-chunks the index as a chunker change does (the embedding cache keeps it cheap).
   */
  public static final String FIELDS_VERSION = "fields-2";

  private ChunkDocuments() {}

  /** The document for one chunk; {@code fileModifiedMillis} is its file's mtime when it was read. */
  public static Document chunk(Chunk chunk, long fileModifiedMillis) {
    Document doc = new Document();
    doc.add(new StringField(ChunkFields.KIND, ChunkFields.KIND_CHUNK, Field.Store.NO));
    addExact(doc, ChunkFields.PATH, chunk.path());
    addExact(doc, ChunkFields.LANGUAGE, chunk.language());
    doc.add(new StoredField(ChunkFields.START_LINE, chunk.startLine()));
    doc.add(new StoredField(ChunkFields.END_LINE, chunk.endLine()));
    doc.add(new TextField(ChunkFields.CONTENT, chunk.text(), Field.Store.YES));
    doc.add(new TextField(ChunkFields.CONTENT_CASE, chunk.text(), Field.Store.NO));
    if (!chunk.context().isEmpty()) {
      doc.add(new StoredField(ChunkFields.CONTEXT, chunk.context()));
    }
    addFileName(doc, chunk.path());
    long hash = chunk.contentHash();
    doc.add(new StoredField(ChunkFields.HASH, hash));
    doc.add(new NumericDocValuesField(ChunkFields.HASH, hash));
    doc.add(new LongPoint(ChunkFields.HASH, hash));
    addMillis(doc, fileModifiedMillis);
    return doc;
  }

  /** The document describing one indexed file, written after its chunks. */
  /** The path of a document {@link #chunk} or {@link #file} built. */
  public static String pathOf(Document document) {
    return document.get(ChunkFields.PATH);
  }

  public static Document file(SourceFile file, String fileHash, int chunkCount) {
    if (chunkCount < 0) {
      throw new IllegalArgumentException("chunkCount (" + chunkCount + ") must not be negative");
    }
    Document doc = new Document();
    doc.add(new StringField(ChunkFields.KIND, ChunkFields.KIND_FILE, Field.Store.NO));
    addExact(doc, ChunkFields.PATH, file.path());
    addExact(doc, ChunkFields.LANGUAGE, file.language());
    addMillis(doc, file.modifiedMillis());
    doc.add(new StringField(ChunkFields.FILE_HASH, fileHash, Field.Store.YES));
    doc.add(new StoredField(ChunkFields.FILE_SIZE, file.size()));
    doc.add(new StoredField(ChunkFields.CHUNK_COUNT, chunkCount));
    return doc;
  }

  /**
   * A fresh writer config (Lucene configs must not be shared between writers): the lowercasing
   * {@link CodeAnalyzer} everywhere except {@link ChunkFields#CONTENT_CASE}, and BM25 scoring, which is
   * Lucene's default but is named here because search scores depend on it.
   */
  public static IndexWriterConfig writerConfig() {
    PerFieldAnalyzerWrapper analyzer = new PerFieldAnalyzerWrapper(
        CodeAnalyzer.caseInsensitive(), Map.of(ChunkFields.CONTENT_CASE, CodeAnalyzer.caseSensitive()));
    return new IndexWriterConfig(analyzer).setSimilarity(new BM25Similarity());
  }

  /** {@link ChunkFields#FILE_NAME}: the last segment of {@code path} without its extension. */
  private static void addFileName(Document doc, String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    doc.add(new TextField(ChunkFields.FILE_NAME, dot > 0 ? name.substring(0, dot) : name, Field.Store.NO));
  }

  private static void addExact(Document doc, String field, String value) {
    doc.add(new StringField(field, value, Field.Store.YES));
    doc.add(new SortedDocValuesField(field, new BytesRef(value)));
  }

  private static void addMillis(Document doc, long millis) {
    doc.add(new StoredField(ChunkFields.FILE_MTIME, millis));
    doc.add(new NumericDocValuesField(ChunkFields.FILE_MTIME, millis));
  }
}
