package dev.cidx.index;

import dev.cidx.embed.Embedder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;

/**
 * Step 3 of an {@link Indexer} run: gives a vector to every live chunk that has none, reading its text
 * back from the index, embedding in batches, appending each batch to the {@link EmbeddingCache}, and
 * asking for a commit whenever the {@link CommitSchedule} says one is due, so semantic search fills in
 * while the pass goes on and a kill loses little.
 *
 * <p>Working from the index rather than from the chunker's output is what lets a run that was stopped
 * after its full-text commit be resumed by the next one, which finds nothing changed on disk but chunks
 * still without vectors.
 */
final class EmbeddingPass {
  /**
   * Texts per embedding call with the local model ({@link Embedder#documentsPerCall()}; a remote provider
   * asks for more), and per flush to the cache: enough to keep the embedding workers busy, few
   * enough that progress moves, and a kill loses, about a second of work (64 made the progress bar stand
   * still for three seconds at a time).
   */
  static final int BATCH = 16;

  /** Commits what has been embedded so far; called between batches. */
  @FunctionalInterface
  interface Checkpoint {
    void commit() throws IOException, IndexException;
  }

  /** One chunk to embed: its content hash, and what the model reads, or a document of the reader that holds it. */
  private record Pending(long hash, int doc, String path, String text) {}

  /** Null when every pending chunk carries its text. */
  private final DirectoryReader reader;
  private final List<Pending> pending;
  private final Map<String, Integer> pendingPerFile;

  private EmbeddingPass(DirectoryReader reader, List<Pending> pending, Map<String, Integer> pendingPerFile) {
    this.reader = reader;
    this.pending = pending;
    this.pendingPerFile = pendingPerFile;
  }

  /**
   * Finds the live chunks of {@code reader} whose hash {@code hasVector} rejects, one per hash, and
   * tells {@code counters} how much there is to do: in the files of {@code scope} only, when the last
   * commit had a vector for every chunk (then only the files this run rewrote can lack any), else in
   * every file. {@code reader} must stay open while the pass runs.
   */
  static EmbeddingPass plan(DirectoryReader reader, Optional<Collection<String>> scope, LongPredicate hasVector,
      RunCounters counters) throws IOException {
    Planner planner = new Planner(hasVector);
    for (LeafReaderContext leaf : reader.leaves()) {
      NumericDocValues hashes = leaf.reader().getNumericDocValues(ChunkFields.HASH);
      if (hashes == null) {
        continue;
      }
      Bits liveDocs = leaf.reader().getLiveDocs();
      if (scope.isEmpty()) {
        for (int doc = hashes.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = hashes.nextDoc()) {
          if (liveDocs == null || liveDocs.get(doc)) {
            planner.visit(leaf, doc, hashes.longValue());
          }
        }
        continue;
      }
      for (String path : scope.get()) {
        PostingsEnum docs = leaf.reader().postings(new Term(ChunkFields.PATH, path), PostingsEnum.NONE);
        if (docs == null) {
          continue;
        }
        hashes = leaf.reader().getNumericDocValues(ChunkFields.HASH); // doc values only move forward
        for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
          if ((liveDocs == null || liveDocs.get(doc)) && hashes.advanceExact(doc)) {
            planner.visit(leaf, doc, hashes.longValue());
          }
        }
      }
    }
    counters.embeddingPlanned(planner.pending.size(), planner.perFile.size(), planner.reused);
    return new EmbeddingPass(reader, planner.pending, planner.perFile);
  }

  /** Collects one pending chunk per hash without a vector, counting the rest as reused. */
  private static final class Planner {
    private final LongPredicate hasVector;
    private final List<Pending> pending = new ArrayList<>();
    private final Map<String, Integer> perFile = new HashMap<>();
    private final Set<Long> seen = new HashSet<>();
    private int reused;

    Planner(LongPredicate hasVector) {
      this.hasVector = hasVector;
    }

    void visit(LeafReaderContext leaf, int doc, long hash) throws IOException {
      if (hasVector.test(hash) || !seen.add(hash)) {
        reused++;
        return;
      }
      SortedDocValues paths = leaf.reader().getSortedDocValues(ChunkFields.PATH);
      if (paths == null || !paths.advanceExact(doc)) {
        return;
      }
      String path = paths.lookupOrd(paths.ordValue()).utf8ToString();
      pending.add(new Pending(hash, leaf.docBase + doc, path, null));
      perFile.merge(path, 1, Integer::sum);
    }
  }

  /** A pass over chunks held in memory (a run's own, few enough to keep), {@code reused} more known already. */
  static EmbeddingPass of(List<Chunk> chunks, int reused, RunCounters counters) {
    List<Pending> pending = new ArrayList<>(chunks.size());
    Map<String, Integer> perFile = new HashMap<>();
    for (Chunk c : chunks) {
      pending.add(new Pending(c.contentHash(), -1, c.path(), c.embeddingText()));
      perFile.merge(c.path(), 1, Integer::sum);
    }
    counters.embeddingPlanned(pending.size(), perFile.size(), reused);
    return new EmbeddingPass(null, pending, perFile);
  }

  int size() {
    return pending.size();
  }

  /** What the model reads of a stored chunk: its context line, then its text. */
  private static String storedEmbeddingText(StoredFields stored, int doc) throws IOException {
    Document d = stored.document(doc, Set.of(ChunkFields.CONTENT, ChunkFields.CONTEXT));
    return Chunk.embeddingText(d.get(ChunkFields.CONTEXT), d.get(ChunkFields.CONTENT));
  }

  /** Returns false when cancelled; what was embedded is in the cache, and committed up to the last checkpoint. */
  boolean run(Embedder embedder, EmbeddingCache cache, CommitSchedule schedule, Checkpoint checkpoint,
      RunCounters counters, IndexProgress progress, BooleanSupplier cancelled) throws IOException, IndexException {
    StoredFields stored = reader == null ? null : reader.storedFields();
    int sinceCommit = 0;
    long lastCommit = System.nanoTime();
    int batchSize = Math.max(1, embedder.documentsPerCall());
    for (int from = 0; from < pending.size(); from += batchSize) {
      if (cancelled.getAsBoolean()) {
        return false;
      }
      List<Pending> batch = pending.subList(from, Math.min(pending.size(), from + batchSize));
      List<String> texts = new ArrayList<>(batch.size());
      for (Pending p : batch) {
        texts.add(p.text() != null ? p.text() : storedEmbeddingText(stored, p.doc()));
      }
      List<float[]> vectors;
      try {
        vectors = embedder.embedDocuments(texts, cancelled);
      } catch (CancellationException e) {
        return false;
      }
      Map<Long, float[]> entries = new LinkedHashMap<>();
      int filesCompleted = 0;
      for (int i = 0; i < batch.size(); i++) {
        entries.put(batch.get(i).hash(), vectors.get(i));
        if (pendingPerFile.merge(batch.get(i).path(), -1, Integer::sum) == 0) {
          pendingPerFile.remove(batch.get(i).path());
          filesCompleted++;
        }
      }
      cache.putAll(embedder.identity().cacheKey(), entries);
      counters.embedded(batch.size(), filesCompleted);
      sinceCommit += batch.size();
      boolean more = from + batchSize < pending.size();
      if (more && schedule.checkpointDue(sinceCommit, System.nanoTime() - lastCommit)) {
        progress.update(counters.snapshot(IndexProgress.Phase.COMMITTING));
        checkpoint.commit();
        sinceCommit = 0;
        lastCommit = System.nanoTime();
      }
      progress.update(counters.snapshot(IndexProgress.Phase.EMBEDDING));
    }
    return !cancelled.getAsBoolean();
  }
}
