package dev.cidx.index;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;

/**
 * Step 2 of an {@link Indexer} run: re-chunks the changed files and replaces their Lucene documents.
 * It needs no model, only its tokenizer, and takes seconds where embedding takes minutes or hours, which
 * is why it runs to the end (and may be committed) before anything is embedded.
 *
 * <p>Files are chunked on every core: parsing, token counts and Lucene's analysis are the work, and the
 * chunker and Lucene's writer are both thread-safe. The segments still in memory at the end are flushed
 * on every core too. Progress is reported from the calling thread only.
 */
final class FullTextPass {
  /** Below this many files a pool costs more than it saves. */
  private static final int PARALLEL_FROM_FILES = 32;

  private final IndexWriter writer;
  private final Chunker chunker;
  private final RunCounters counters;
  private final LongPredicate hasVector;
  private final int keepUpTo;
  /** One chunk per content hash without a vector, while there are at most keepUpTo; guarded by itself. */
  private final Map<Long, Chunk> pending = new LinkedHashMap<>();
  private boolean overflowed;
  private int reused;

  /**
   * @param hasVector whether a content hash has a vector already (it is not embedded again)
   * @param keepUpTo how many chunks without a vector are kept in memory for the embedding pass; past that,
   *     the pass reads them back from the index instead
   */
  FullTextPass(IndexWriter writer, Chunker chunker, RunCounters counters, LongPredicate hasVector, int keepUpTo) {
    this.writer = writer;
    this.chunker = chunker;
    this.counters = counters;
    this.hasVector = hasVector;
    this.keepUpTo = keepUpTo;
  }

  /** The chunks of this run without a vector, one per hash; empty when there were more than it keeps. */
  Optional<List<Chunk>> pendingChunks() {
    synchronized (pending) {
      return overflowed ? Optional.empty() : Optional.of(new ArrayList<>(pending.values()));
    }
  }

  /** Whether more chunks of this run lack a vector than it keeps (so the embedding pass reads them back). */
  boolean overflowed() {
    synchronized (pending) {
      return overflowed;
    }
  }

  /** Chunks of this run whose vector was already known (or whose text another chunk of it has). */
  int reusedChunks() {
    synchronized (pending) {
      return reused;
    }
  }

  /** Returns false when cancelled part way; the writer then holds a partial update to roll back. */
  boolean run(List<SourceFile> files, IndexProgress progress, BooleanSupplier cancelled) throws IOException {
    int threads = files.size() < PARALLEL_FROM_FILES ? 1 : Runtime.getRuntime().availableProcessors();
    if (threads <= 1) {
      for (SourceFile file : files) {
        if (cancelled.getAsBoolean()) {
          return false;
        }
        index(file);
        progress.update(counters.snapshot(IndexProgress.Phase.CHUNKING));
      }
      return true;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "cidx-chunker");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> done = new ArrayList<>(files.size());
      for (SourceFile file : files) {
        done.add(pool.submit(() -> {
          if (!cancelled.getAsBoolean()) {
            index(file);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
        if (cancelled.getAsBoolean()) {
          return false;
        }
        progress.update(counters.snapshot(IndexProgress.Phase.CHUNKING));
      }
      flushOnEveryCore(pool, threads);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("chunking failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
      try {
        pool.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Writes the documents still buffered in memory to segments, one buffer per thread: the next reader or
   * commit would otherwise flush them all on the calling thread, one after the other (on java.base up to
   * 64 MB of buffered documents, seconds on one core while the other idles).
   */
  private void flushOnEveryCore(ExecutorService pool, int threads)
      throws InterruptedException, ExecutionException {
    List<Future<?>> flushes = new ArrayList<>(threads);
    for (int i = 0; i < threads; i++) {
      flushes.add(pool.submit(() -> {
        while (writer.flushNextBuffer()) {
          // each call flushes one buffer, the largest left, in this thread
        }
        return null;
      }));
    }
    for (Future<?> f : flushes) {
      f.get();
    }
  }

  private void keepIfUnembedded(Chunk c) {
    long hash = c.contentHash();
    boolean known = hasVector.test(hash);
    synchronized (pending) {
      if (known || pending.containsKey(hash)) {
        reused++;
      } else if (!overflowed) {
        pending.put(hash, c);
        if (pending.size() > keepUpTo) {
          overflowed = true; // the embedding pass reads them from the index: memory stays bounded
          pending.clear();
        }
      }
    }
  }

  /** Replaces one file's documents: its chunks, then the file document; nothing for an unreadable file. */
  private void index(SourceFile file) throws IOException {
    Term path = new Term(ChunkFields.PATH, file.path());
    Optional<String> text = FileText.read(file.absolutePath());
    if (text.isEmpty()) {
      writer.deleteDocuments(path);
      counters.fileChunked(0);
      return;
    }
    List<Chunk> chunks = chunker.chunk(file.path(), file.language(), text.get());
    List<Document> docs = new ArrayList<>(chunks.size() + 1);
    for (Chunk c : chunks) {
      docs.add(ChunkDocuments.chunk(c, file.modifiedMillis()));
      keepIfUnembedded(c);
    }
    docs.add(ChunkDocuments.file(file, Indexer.sha256(text.get()), chunks.size()));
    writer.updateDocuments(path, docs);
    counters.fileChunked(chunks.size());
  }
}
