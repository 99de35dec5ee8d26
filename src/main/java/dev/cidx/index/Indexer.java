package dev.cidx.index;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedder;
import dev.cidx.embed.EmbeddingModel;
import dev.cidx.protocol.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.Bits;

/**
 * Brings the index in line with the repository: the one writer of both indexes.
 *
 * <p>A run: (1) scan the files and compare size and mtime with the file documents of the last commit;
 * (2) a chunking thread re-chunks changed files and replaces their Lucene documents, queueing chunks
 * whose content hash has no embedding yet; (3) this thread embeds the queue in batches, appending each
 * batch to the {@link EmbeddingCache}; (4) the vector store of the last commit is updated to hold
 * exactly the live hashes and saved under a new name; (5) one Lucene commit records the documents and
 * names that vector file. Only step 5 makes anything visible, so an interrupted run (Ctrl+C, SIGKILL,
 * disk full) leaves the previous commit in service, and the embeddings it flushed are reused next time.
 *
 * <p>Lucene's write lock makes the indexer exclusive per repository: a second run fails fast.
 */
public final class Indexer {
  private static final Logger LOG = Logger.getLogger(Indexer.class.getName());

  private final RepoPaths repo;
  private final CidxConfig config;
  private final EmbeddingModel model;
  private final Supplier<Embedder> embedderSupplier;

  /**
   * @param embedderSupplier opened only when a file must be chunked or a chunk embedded, so a run with
   *     nothing to do never loads the model; the caller closes what it supplies
   */
  public Indexer(RepoPaths repo, CidxConfig config, Supplier<Embedder> embedderSupplier) {
    this.repo = repo;
    this.config = config;
    this.model = EmbeddingModel.byName(config.embeddingModel());
    this.embedderSupplier = embedderSupplier;
  }

  /** Brings the whole repository up to date ({@code clear}: rebuilds it from scratch). */
  public IndexRun run(boolean clear, IndexProgress progress, BooleanSupplier cancelled)
      throws IOException, IndexException {
    return run(clear ? IndexScope.REBUILD : IndexScope.ALL, progress, cancelled);
  }

  /**
   * Brings {@code scope} up to date: files in it that were added, changed or deleted since the last
   * commit. Without a last commit there is nothing to update, so the whole repository is indexed.
   */
  public IndexRun run(IndexScope scope, IndexProgress progress, BooleanSupplier cancelled)
      throws IOException, IndexException {
    long started = System.nanoTime();
    boolean clear = scope.rebuild();
    Path indexDir = repo.indexDir();
    try {
      Files.createDirectories(indexDir);
      Optional<CommitInfo> previous = clear ? Optional.empty() : lastCommit(indexDir);
      if (previous.isPresent() && !previous.get().model().equals(model.modelName())) {
        throw new IndexException("the index was built with model " + previous.get().model()
            + " but config.json asks for " + model.modelName() + ": run `cidx index --clear` to rebuild it");
      }
      if (previous.isEmpty() && !scope.isWholeRepository()) {
        scope = IndexScope.ALL; // nothing to update: index everything
      }
      try (Directory dir = FSDirectory.open(indexDir);
          IndexWriter writer = openWriter(dir, clear)) {
        // Only the holder of the write lock may drop the cache: another run may be appending to it.
        if (clear) {
          Files.deleteIfExists(repo.embeddingCacheFile());
        }
        try (EmbeddingCache cache = EmbeddingCache.open(repo.embeddingCacheFile(), model.modelName(),
            model.dimension())) {
          return update(writer, cache, previous, scope, progress, cancelled, started);
        } catch (Throwable t) {
          rollbackQuietly(writer, t);
          throw t;
        }
      }
    } catch (LockObtainFailedException e) {
      throw new IndexException("another `cidx index` is already writing this index; wait for it to finish", e);
    } catch (IOException | AlreadyClosedException e) {
      // A read-only directory, a full disk: one line, and the previous commit is still the one in service.
      Optional<String> message = WriteFailures.describe(e, repo.dataDir());
      if (message.isPresent()) {
        throw new IndexException(message.get(), e);
      }
      throw e;
    }
  }

  /** Drops what the failed run wrote; a second failure rides along on the first. */
  private static void rollbackQuietly(IndexWriter writer, Throwable failure) {
    if (!writer.isOpen()) {
      return; // a tragic failure (say, disk full during a flush) closed it already
    }
    try {
      writer.rollback();
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  private IndexRun update(IndexWriter writer, EmbeddingCache cache, Optional<CommitInfo> previous, IndexScope scope,
      IndexProgress progress, BooleanSupplier cancelled, long started) throws IOException, IndexException {
    Map<String, FileState> indexed = scope.rebuild() ? Map.of() : indexedFiles(writer, scope);
    FileScanner scanner = new FileScanner(repo, config);
    List<SourceFile> files = scope.isWholeRepository() ? scanner.scan() : scanner.scan(scope.paths());
    List<SourceFile> changed = new ArrayList<>();
    Set<String> present = new HashSet<>();
    for (SourceFile f : files) {
      present.add(f.path());
      FileState state = indexed.get(f.path());
      if (state == null || state.size() != f.size() || state.modifiedMillis() != f.modifiedMillis()) {
        changed.add(f);
      }
    }
    List<String> deleted = new ArrayList<>();
    for (String path : indexed.keySet()) {
      if (!present.contains(path)) {
        deleted.add(path);
        writer.deleteDocuments(new Term(ChunkFields.PATH, path));
      }
    }
    int modified = (int) changed.stream().filter(f -> indexed.containsKey(f.path())).count();
    if (changed.isEmpty() && deleted.isEmpty() && previous.isPresent()) {
      writer.rollback();
      progress.update(new IndexProgress.Snapshot(IndexProgress.Phase.DONE, files.size(), 0, 0, 0, 0, seconds(started)));
      return new IndexRun(files.size(), 0, 0, 0, previous.get().chunks(), 0, 0, seconds(started), false, false);
    }

    EmbeddingPipeline pipeline = new EmbeddingPipeline(writer, cache, changed, files.size(), progress, started);
    if (!changed.isEmpty()) {
      Embedder embedder = embedderSupplier.get();
      Chunker chunker = new Chunker(config.chunkLines(), config.chunkOverlapLines(), model.maxTokens() - 2,
          embedder.tokenCounter());
      boolean finished = pipeline.run(chunker, embedder, cancelled);
      if (!finished) {
        writer.rollback();
        return new IndexRun(files.size(), pipeline.filesDone(), modified, deleted.size(), pipeline.chunksQueued(),
            pipeline.embedded(), pipeline.reused(), seconds(started), false, true);
      }
    }
    progress.update(pipeline.snapshot(IndexProgress.Phase.COMMITTING));
    CommitInfo info = commit(writer, cache, previous);
    progress.update(pipeline.snapshot(IndexProgress.Phase.DONE));
    return new IndexRun(files.size(), changed.size(), modified, deleted.size(), info.chunks(), pipeline.embedded(),
        pipeline.reused(), seconds(started), true, false);
  }

  /** Step 4 and 5: vectors for exactly the live chunks, saved under a new name, then one Lucene commit. */
  private CommitInfo commit(IndexWriter writer, EmbeddingCache cache, Optional<CommitInfo> previous)
      throws IOException, IndexException {
    Set<Long> live;
    int files;
    int chunks;
    try (DirectoryReader reader = DirectoryReader.open(writer)) {
      live = liveHashes(reader);
      IndexSearcher searcher = new IndexSearcher(reader);
      files = searcher.count(new TermQuery(new Term(ChunkFields.KIND, ChunkFields.KIND_FILE)));
      chunks = searcher.count(new TermQuery(new Term(ChunkFields.KIND, ChunkFields.KIND_CHUNK)));
    }
    VectorStore store = null;
    if (previous.isPresent()) {
      Path old = repo.indexDir().resolve(previous.get().vectorsFile());
      if (Files.isRegularFile(old)) {
        store = VectorStore.load(old);
      }
    }
    if (store == null) {
      store = VectorStore.create(model.dimension(), live.size());
    }
    for (Long hash : store.hashes()) {
      if (!live.contains(hash)) {
        store.remove(hash);
      }
    }
    List<Long> missing = new ArrayList<>();
    for (Long hash : live) {
      if (!store.contains(hash)) {
        if (!cache.contains(hash)) {
          throw new IndexException("internal error: chunk " + Long.toHexString(hash) + " has no embedding");
        }
        missing.add(hash);
      }
    }
    store.addAll(missing, cache::get);

    String vectorsFile = "vectors-" + System.currentTimeMillis() + ".hnsw";
    Path tmp = repo.indexDir().resolve(vectorsFile + ".tmp");
    boolean saved = false;
    try {
      store.save(tmp);
      Files.move(tmp, repo.indexDir().resolve(vectorsFile), StandardCopyOption.ATOMIC_MOVE);
      saved = true;
    } finally {
      if (!saved) {
        deleteQuietly(tmp); // on a full disk, the space it holds is what the next run needs
      }
    }
    CommitInfo info = new CommitInfo(model.modelName(), model.dimension(), vectorsFile, Instant.now(), files, chunks,
        Version.CIDX);
    writer.setLiveCommitData(info.toUserData().entrySet());
    writer.commit();
    // The commit is in place: from here on, a failure only leaves files the next commit removes or
    // rewrites, so it must not turn a successful run into a failed one.
    try {
      removeUnusedVectorFiles(vectorsFile);
      cache.compact(live);
    } catch (IOException e) {
      LOG.warning("committed, but cleaning up after the commit failed (the next run retries): " + e);
    }
    return info;
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover is removed by the next successful commit
    }
  }

  private void removeUnusedVectorFiles(String current) throws IOException {
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(repo.indexDir(), "vectors-*")) {
      for (Path p : stream) {
        if (!p.getFileName().toString().equals(current)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static Optional<CommitInfo> lastCommit(Path indexDir) throws IOException {
    try (Directory dir = FSDirectory.open(indexDir)) {
      if (!DirectoryReader.indexExists(dir)) {
        return Optional.empty();
      }
      return Optional.of(CommitInfo.fromUserData(SegmentInfos.readLatestCommit(dir).getUserData()));
    }
  }

  private static IndexWriter openWriter(Directory dir, boolean clear) throws IOException {
    IndexWriterConfig cfg = ChunkDocuments.writerConfig();
    cfg.setOpenMode(clear ? IndexWriterConfig.OpenMode.CREATE : IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
    cfg.setRAMBufferSizeMB(64);
    cfg.setCommitOnClose(false);
    return new IndexWriter(dir, cfg);
  }

  /** The size and mtime each indexed file in {@code scope} had, from the file documents. */
  private static Map<String, FileState> indexedFiles(IndexWriter writer, IndexScope scope) throws IOException {
    Map<String, FileState> out = new HashMap<>();
    try (DirectoryReader reader = DirectoryReader.open(writer)) {
      IndexSearcher searcher = new IndexSearcher(reader);
      StoredFields stored = searcher.storedFields();
      TermQuery fileDocs = new TermQuery(new Term(ChunkFields.KIND, ChunkFields.KIND_FILE));
      for (LeafReaderContext leaf : reader.leaves()) {
        var scorer = fileDocs.createWeight(searcher, org.apache.lucene.search.ScoreMode.COMPLETE_NO_SCORES, 1f)
            .scorer(leaf);
        if (scorer == null) {
          continue;
        }
        Bits liveDocs = leaf.reader().getLiveDocs();
        DocIdSetIterator it = scorer.iterator();
        for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
          if (liveDocs != null && !liveDocs.get(doc)) {
            continue;
          }
          Document d = stored.document(leaf.docBase + doc);
          String path = d.get(ChunkFields.PATH);
          if (!scope.covers(path)) {
            continue;
          }
          out.put(path, new FileState(
              d.getField(ChunkFields.FILE_SIZE).numericValue().longValue(),
              d.getField(ChunkFields.FILE_MTIME).numericValue().longValue()));
        }
      }
    }
    return out;
  }

  /** Content hashes of every live chunk document. */
  static Set<Long> liveHashes(DirectoryReader reader) throws IOException {
    Set<Long> hashes = new HashSet<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      NumericDocValues values = leaf.reader().getNumericDocValues(ChunkFields.HASH);
      if (values == null) {
        continue;
      }
      Bits liveDocs = leaf.reader().getLiveDocs();
      for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
        if (liveDocs == null || liveDocs.get(doc)) {
          hashes.add(values.longValue());
        }
      }
    }
    return hashes;
  }

  private record FileState(long size, long modifiedMillis) {}

  static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  static String sha256(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
