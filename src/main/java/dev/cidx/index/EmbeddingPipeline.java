package dev.cidx.index;

import dev.cidx.embed.Embedder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;

/**
 * Steps 2 and 3 of an {@link Indexer} run: a chunking thread re-chunks the changed files, replaces their
 * Lucene documents and queues the chunks whose content hash has no embedding yet; the calling thread
 * embeds the queue in batches and appends each batch to the {@link EmbeddingCache} as it goes.
 *
 * <p>The queue is unbounded: chunk text is small next to the model's time per chunk, and knowing the
 * total early makes the ETA honest. Counters are guarded by {@code this}.
 */
final class EmbeddingPipeline {
  /**
   * Texts per embedding call, and per flush to the cache: enough to keep the embedding workers busy, few
   * enough that progress moves, and a kill loses, about a second of work (64 made the progress bar stand
   * still for three seconds at a time).
   */
  private static final int EMBED_BATCH = 16;
  private static final Object END = new Object();

  private final IndexWriter writer;
  private final EmbeddingCache cache;
  /** The model the run's commit names, and so the only one whose vectors it may use. */
  private final String model;
  private final List<SourceFile> files;
  private final int filesScanned;
  private final IndexProgress progress;
  private final long started;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Map<String, Integer> pendingPerFile = new HashMap<>();
  private int chunksQueued;
  private int filesDone;
  private int embedded;
  private int reused;
  private int toEmbed;

  EmbeddingPipeline(IndexWriter writer, EmbeddingCache cache, List<SourceFile> files, int filesScanned,
      IndexProgress progress, long started) {
    this.writer = writer;
    this.cache = cache;
    this.model = cache.model();
    this.files = files;
    this.filesScanned = filesScanned;
    this.progress = progress;
    this.started = started;
  }

  /** Returns false when cancelled; nothing is committed then. */
  boolean run(Chunker chunker, Embedder embedder, BooleanSupplier cancelled) throws IOException, IndexException {
    ExecutorService chunking = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "cidx-chunker");
      t.setDaemon(true);
      return t;
    });
    Future<?> producer = chunking.submit(() -> {
      try {
        produce(chunker, cancelled);
      } finally {
        queue.add(END);
      }
      return null;
    });
    try {
      boolean finished = consume(embedder, cancelled);
      producer.get();
      return finished && !cancelled.getAsBoolean();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IndexException("indexing failed: " + cause, cause);
    } finally {
      chunking.shutdownNow();
      try {
        chunking.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void produce(Chunker chunker, BooleanSupplier cancelled) throws IOException {
    Set<Long> queued = new HashSet<>();
    for (SourceFile file : files) {
      if (cancelled.getAsBoolean()) {
        return;
      }
      writer.deleteDocuments(new Term(ChunkFields.PATH, file.path()));
      Optional<String> text = FileText.read(file.absolutePath());
      if (text.isEmpty()) {
        fileDone();
        continue;
      }
      List<Chunk> chunks = chunker.chunk(file.path(), file.language(), text.get());
      List<Document> docs = new ArrayList<>(chunks.size() + 1);
      List<Chunk> pending = new ArrayList<>();
      for (Chunk c : chunks) {
        docs.add(ChunkDocuments.chunk(c, file.modifiedMillis()));
        long hash = c.contentHash();
        synchronized (this) {
          if (!cache.contains(model, hash) && queued.add(hash)) {
            pending.add(c);
          } else {
            reused++;
          }
        }
      }
      docs.add(ChunkDocuments.file(file, Indexer.sha256(text.get()), chunks.size()));
      writer.addDocuments(docs);
      synchronized (this) {
        chunksQueued += chunks.size();
        toEmbed += pending.size();
        if (pending.isEmpty()) {
          filesDone++;
        } else {
          pendingPerFile.put(file.path(), pending.size());
        }
      }
      queue.addAll(pending);
    }
  }

  private synchronized void fileDone() {
    filesDone++;
  }

  private boolean consume(Embedder embedder, BooleanSupplier cancelled) throws IOException, InterruptedException {
    List<Chunk> batch = new ArrayList<>(EMBED_BATCH);
    boolean end = false;
    while (!end) {
      Object first = queue.poll(200, TimeUnit.MILLISECONDS);
      if (cancelled.getAsBoolean()) {
        return false;
      }
      if (first == null) {
        progress.update(snapshot(IndexProgress.Phase.EMBEDDING));
        continue;
      }
      List<Object> taken = new ArrayList<>();
      taken.add(first);
      queue.drainTo(taken, EMBED_BATCH - 1);
      for (Object o : taken) {
        if (o == END) {
          end = true;
        } else {
          batch.add((Chunk) o);
        }
      }
      if (!batch.isEmpty()) {
        if (!embed(embedder, batch, cancelled)) {
          return false;
        }
        batch.clear();
        progress.update(snapshot(IndexProgress.Phase.EMBEDDING));
      }
    }
    return true;
  }

  /** Embeds and caches one batch; false when cancelled part way (nothing of the batch is kept then). */
  private boolean embed(Embedder embedder, List<Chunk> batch, BooleanSupplier cancelled) throws IOException {
    List<String> texts = new ArrayList<>(batch.size());
    for (Chunk c : batch) {
      texts.add(c.text());
    }
    List<float[]> vectors;
    try {
      vectors = embedder.embedDocuments(texts, cancelled);
    } catch (CancellationException e) {
      return false;
    }
    Map<Long, float[]> entries = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      entries.put(batch.get(i).contentHash(), vectors.get(i));
    }
    synchronized (this) {
      cache.putAll(embedder.model().modelName(), entries);
      embedded += batch.size();
      for (Chunk c : batch) {
        int left = pendingPerFile.merge(c.path(), -1, Integer::sum);
        if (left == 0) {
          pendingPerFile.remove(c.path());
          filesDone++;
        }
      }
    }
    return true;
  }

  synchronized IndexProgress.Snapshot snapshot(IndexProgress.Phase phase) {
    return new IndexProgress.Snapshot(phase, filesScanned, files.size(), filesDone, toEmbed, embedded,
        Indexer.seconds(started));
  }

  synchronized int filesDone() {
    return filesDone;
  }

  synchronized int chunksQueued() {
    return chunksQueued;
  }

  synchronized int embedded() {
    return embedded;
  }

  synchronized int reused() {
    return reused;
  }
}
