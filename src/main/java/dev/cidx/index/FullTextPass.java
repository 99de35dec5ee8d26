package dev.cidx.index;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;

/**
 * Step 2 of an {@link Indexer} run: re-chunks the changed files and replaces their Lucene documents.
 * It needs no model, only its tokenizer, and takes seconds where embedding takes minutes or hours, which
 * is why it runs to the end (and may be committed) before anything is embedded.
 */
final class FullTextPass {
  private final IndexWriter writer;
  private final Chunker chunker;
  private final RunCounters counters;

  FullTextPass(IndexWriter writer, Chunker chunker, RunCounters counters) {
    this.writer = writer;
    this.chunker = chunker;
    this.counters = counters;
  }

  /** Returns false when cancelled part way; the writer then holds a partial update to roll back. */
  boolean run(List<SourceFile> files, IndexProgress progress, BooleanSupplier cancelled) throws IOException {
    for (SourceFile file : files) {
      if (cancelled.getAsBoolean()) {
        return false;
      }
      writer.deleteDocuments(new Term(ChunkFields.PATH, file.path()));
      Optional<String> text = FileText.read(file.absolutePath());
      if (text.isEmpty()) {
        counters.fileChunked(0);
        continue;
      }
      List<Chunk> chunks = chunker.chunk(file.path(), file.language(), text.get());
      List<Document> docs = new ArrayList<>(chunks.size() + 1);
      for (Chunk c : chunks) {
        docs.add(ChunkDocuments.chunk(c, file.modifiedMillis()));
      }
      docs.add(ChunkDocuments.file(file, Indexer.sha256(text.get()), chunks.size()));
      writer.addDocuments(docs);
      counters.fileChunked(chunks.size());
      progress.update(counters.snapshot(IndexProgress.Phase.CHUNKING));
    }
    return true;
  }
}
