package dev.cidx.index;

import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.config.CidxConfig;
import dev.cidx.config.PrivateFiles;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedder;
import dev.cidx.embed.EmbeddingException;
import dev.cidx.embed.EmbeddingIdentity;
import dev.cidx.embed.EmbeddingModel;
import dev.cidx.embed.Embedders;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
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
 * (2) the {@link FullTextPass} re-chunks changed files and replaces their Lucene documents; (3) the
 * {@link EmbeddingPass} embeds, in batches appended to the {@link EmbeddingCache}, every live chunk
 * whose content hash has no vector yet; (4) the vectors of live hashes that the last commit's HNSW base
 * lacks are written to a new {@link DeltaVectors} file, or, when the {@link CompactionPolicy} says the
 * delta or the base's dead entries have grown too large, the base is rebuilt to hold exactly the live
 * hashes and saved under a new name with its {@link BaseHashes} list; (5) one Lucene commit records the
 * documents and names the base and delta. Only a commit makes anything visible, so an interrupted run
 * (Ctrl+C, SIGKILL, disk full) leaves the last commit in service, and the embeddings it flushed are
 * reused next time.
 *
 * <p>Full text first: when there is much to embed, steps 4 and 5 also run between steps 2 and 3 and then
 * every so often during step 3 (see {@link CommitSchedule}). Such a commit names vectors for only some
 * chunks ({@link CommitInfo#embeddedChunks()}); full-text search sees every chunk at once and semantic
 * search fills in. A run finding a commit like that embeds the rest even when no file changed.
 *
 * <p>Why a delta: the base is an 85 MB object stream on a repository like the JDK's java.base, and loading
 * and saving it took most of a one-file run. An incremental commit now reads a small hash list and
 * writes a small delta, so its cost follows the change, not the index; the base is rebuilt only once the
 * debt is worth paying off.
 *
 * <p>Lucene's write lock makes the indexer exclusive per repository: a second run fails fast.
 */
public final class Indexer {
  private static final Logger LOG = Logger.getLogger(Indexer.class.getName());
  private static final String BASE_PREFIX = "vectors-";
  private static final String DELTA_PREFIX = "delta-";
  private static final String TMP_SUFFIX = ".tmp";
  /**
   * Commit user data naming the {@link Chunker#VERSION} that cut the index (absent before syntax-aware
   * chunks). Kept beside {@link CommitInfo} rather than in it: only the indexer reads it.
   */
  static final String CHUNKER_VERSION = "chunker";
  /** Commit user data naming the {@link ChunkDocuments#FIELDS_VERSION} of the documents. */
  static final String FIELDS_VERSION = "fields";

  private final RepoPaths repo;
  private final CidxConfig config;
  /** Sizes chunks (its tokenizer and token limit), whichever provider embeds them. */
  private final EmbeddingModel model;
  private final EmbeddingIdentity identity;
  private final Supplier<Embedder> embedderSupplier;
  private final CompactionPolicy compaction;
  private final CommitSchedule schedule;

  /**
   * @param embedderSupplier opened only when a file must be chunked or a chunk embedded, so a run with
   *     nothing to do never loads the model; the caller closes what it supplies
   */
  public Indexer(RepoPaths repo, CidxConfig config, Supplier<Embedder> embedderSupplier) {
    this(repo, config, embedderSupplier, CompactionPolicy.DEFAULT, CommitSchedule.DEFAULT);
  }

  /** With another compaction policy and commit schedule: tests cross their thresholds with a handful of files. */
  Indexer(RepoPaths repo, CidxConfig config, Supplier<Embedder> embedderSupplier, CompactionPolicy compaction,
      CommitSchedule schedule) {
    this.repo = repo;
    this.config = config;
    this.model = Embedders.localModel(config);
    this.identity = Embedders.identity(config);
    this.embedderSupplier = embedderSupplier;
    this.compaction = compaction;
    this.schedule = schedule;
  }

  /** Brings the whole repository up to date ({@code clear}: rebuilds it from scratch). */
  public IndexResult run(boolean clear, IndexProgress progress, BooleanSupplier cancelled)
      throws IOException, IndexException {
    return run(clear ? IndexScope.REBUILD : IndexScope.ALL, progress, cancelled);
  }

  /**
   * Brings {@code scope} up to date: files in it that were added, changed or deleted since the last
   * commit. Without a last commit there is nothing to update, so the whole repository is indexed.
   */
  public IndexResult run(IndexScope scope, IndexProgress progress, BooleanSupplier cancelled)
      throws IOException, IndexException {
    long started = System.nanoTime();
    boolean clear = scope.rebuild();
    Path indexDir = repo.indexDir();
    try {
      // Lucene follows a link at write.lock (it opens the lock's real path): refuse any link first.
      // An index made by an older version (0755/0644) is made owner-only here, at its next write.
      PrivateFiles.directory(repo.dataDir());
      PrivateFiles.checkContents(repo.dataDir());
      PrivateFiles.directory(indexDir);
      PrivateFiles.checkContents(indexDir);
      Optional<CommitInfo> previous = clear ? Optional.empty() : lastCommit(indexDir);
      if (previous.isPresent() && !previous.get().identity().equals(identity)) {
        throw new IndexException(previous.get().identity().mismatch(identity));
      }
      if (previous.isEmpty() && !scope.isWholeRepository()) {
        scope = IndexScope.ALL; // nothing to update: index everything
      }
      // Chunks cut by another chunker version: re-chunk every file; the embedding cache, keyed by what
      // the model reads, re-embeds only chunks that came out different.
      // The same when the documents' fields changed.
      boolean rechunk = previous.isPresent() && !isCurrentLayout(indexDir);
      if (rechunk && !scope.isWholeRepository()) {
        scope = IndexScope.ALL;
      }
      try (Directory dir = FSDirectory.open(indexDir);
          IndexWriter writer = openWriter(dir, clear)) {
        // Only the holder of the write lock may drop the cache: another run may be appending to it.
        if (clear) {
          Files.deleteIfExists(repo.embeddingCacheFile());
        }
        try (EmbeddingCache cache = EmbeddingCache.open(repo.embeddingCacheFile(), identity.cacheKey(),
            identity.dimension())) {
          return update(writer, cache, previous, scope, rechunk, progress, cancelled, started);
        } catch (Throwable t) {
          rollbackQuietly(writer, t);
          throw t;
        }
      } finally {
        PrivateFiles.checkContents(indexDir); // the files Lucene made in this run: 0600, like the rest
      }
    } catch (EmbeddingException e) {
      // A provider that keeps failing, or a model that cannot load: one line. The run rolled back to its
      // last checkpoint commit, and the vectors it made are in the embedding cache for the next run.
      throw new IndexException(e.getMessage(), e);
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

  /** The run's embedder, which must be of the run's model: the commit names that model. */
  private Embedder embedder() throws IndexException {
    Embedder embedder = embedderSupplier.get();
    if (!embedder.identity().equals(identity)) {
      throw new IndexException("this run indexes with " + (identity.provider().equals(EmbeddingIdentity.LOCAL)
          ? identity.model() : identity.describe()) + " but was given the "
          + embedder.identity().describe() + " (config.json changed during the run); run `cidx index` again");
    }
    return embedder;
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

  private IndexResult update(IndexWriter writer, EmbeddingCache cache, Optional<CommitInfo> previous, IndexScope scope,
      boolean rechunk, IndexProgress progress, BooleanSupplier cancelled, long started)
      throws IOException, IndexException {
    Map<String, FileState> indexed = scope.rebuild() ? Map.of() : indexedFiles(writer, scope);
    FileScanner scanner = new FileScanner(repo, config);
    List<SourceFile> files = scope.isWholeRepository() ? scanner.scan() : scanner.scan(scope.paths());
    List<SourceFile> changed = new ArrayList<>();
    Set<String> present = new HashSet<>();
    for (SourceFile f : files) {
      present.add(f.path());
      FileState state = indexed.get(f.path());
      if (rechunk || state == null || state.size() != f.size() || state.modifiedMillis() != f.modifiedMillis()) {
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
    boolean previousComplete = previous.isPresent() && previous.get().fullyEmbedded();
    if (changed.isEmpty() && deleted.isEmpty() && previousComplete) {
      writer.rollback();
      progress.update(new IndexProgress.Snapshot(IndexProgress.Phase.DONE, files.size(), 0, 0, 0, 0, seconds(started)));
      return new IndexResult(files.size(), 0, 0, 0, previous.get().chunks(), 0, 0, seconds(started), false, false);
    }

    RunCounters counters = new RunCounters(started, files.size(), changed.size());
    KnownVectors known = knownVectors(previous, cache);
    FullTextPass fullText = null;
    if (!changed.isEmpty()) {
      Embedder embedder = embedder();
      // Room for the model's two special tokens and the chunk's context line.
      Chunker chunker = Chunker.syntaxAware(config.chunkLines(), config.chunkOverlapLines(),
          model.maxTokens() - 2 - Chunker.CONTEXT_TOKENS, embedder.tokenCounter());
      fullText = new FullTextPass(writer, chunker, counters, known::has, schedule.textFirstChunks());
      if (!fullText.run(changed, progress, cancelled)) {
        writer.rollback();
        return new IndexResult(files.size(), 0, modified, deleted.size(), counters.chunksWritten(), 0, 0,
            seconds(started), false, true);
      }
    }
    Commits commits = new Commits(writer, cache, previous, progress);
    boolean finished;
    Optional<List<Chunk>> inMemory = !previousComplete && previous.isPresent() ? Optional.empty()
        : fullText == null ? Optional.of(List.of()) : fullText.pendingChunks();
    boolean textCommitted = false;
    if (inMemory.isEmpty() && fullText != null && fullText.overflowed()) {
      // More than textFirstChunks chunks of this run lack a vector, so full text is committed first
      // whatever the plan finds: commit it before reading the plan back (seconds on java.base).
      commitText(commits, counters, progress);
      textCommitted = true;
    }
    if (inMemory.isPresent()) {
      // Only this run's chunks can lack vectors, and few enough to hold: embed them from memory, writing
      // nothing to disk before the one commit at the end.
      int reused = fullText == null ? 0 : fullText.reusedChunks();
      finished = embed(EmbeddingPass.of(inMemory.get(), reused, counters), commits, counters, progress, cancelled,
          true, false);
    } else {
      // Read back from the index what has no vector: this run's chunks when the last commit had every
      // vector, else all of them (a run stopped after committing full text left some without).
      Optional<Collection<String>> toScan = previousComplete
          ? Optional.of(changed.stream().map(SourceFile::path).toList()) : Optional.empty();
      try (DirectoryReader reader = DirectoryReader.open(writer)) {
        finished = embed(EmbeddingPass.plan(reader, toScan, known::has, counters), commits, counters, progress,
            cancelled, !changed.isEmpty() || !deleted.isEmpty(), textCommitted);
      }
    }
    if (!finished) {
      writer.rollback();
      return new IndexResult(files.size(), counters.filesDone(), modified, deleted.size(), counters.chunksWritten(),
          counters.embedded(), counters.reused(), seconds(started), commits.count() > 0, true);
    }
    progress.update(counters.snapshot(IndexProgress.Phase.COMMITTING));
    CommitInfo info = commits.commit();
    progress.update(counters.snapshot(IndexProgress.Phase.DONE));
    return new IndexResult(files.size(), changed.size(), modified, deleted.size(), info.chunks(), counters.embedded(),
        counters.reused(), seconds(started), true, false);
  }

  /**
   * Runs {@code pass}, committing full text first when it has much to embed. {@code textChanged}: this run
   * changed documents; otherwise the last commit already holds every file's full text, and saying so is
   * all the full-text commit would do. {@code textCommitted}: the caller committed it already. False when
   * cancelled.
   */
  private boolean embed(EmbeddingPass pass, Commits commits, RunCounters counters, IndexProgress progress,
      BooleanSupplier cancelled, boolean textChanged, boolean textCommitted) throws IOException, IndexException {
    if (pass.size() == 0) {
      return true;
    }
    if (!textCommitted && schedule.commitsTextFirst(pass.size())) {
      if (textChanged) {
        progress.update(counters.snapshot(IndexProgress.Phase.COMMITTING));
        commits.commit();
      }
      counters.textCommitted();
    }
    progress.update(counters.snapshot(IndexProgress.Phase.EMBEDDING));
    return pass.run(embedder(), commits.cache, schedule, commits::commit, counters, progress, cancelled);
  }

  /** The full-text commit, said at once: full-text search answers from here on. */
  private static void commitText(Commits commits, RunCounters counters, IndexProgress progress)
      throws IOException, IndexException {
    progress.update(counters.snapshot(IndexProgress.Phase.COMMITTING));
    commits.commit();
    counters.textCommitted();
    progress.update(counters.snapshot(IndexProgress.Phase.COMMITTING));
  }

  /** The commits of one run, each building on the one before. */
  private final class Commits {
    private final IndexWriter writer;
    private final EmbeddingCache cache;
    private final IndexProgress progress;
    private Optional<CommitInfo> latest;
    private int count;

    Commits(IndexWriter writer, EmbeddingCache cache, Optional<CommitInfo> previous, IndexProgress progress) {
      this.writer = writer;
      this.cache = cache;
      this.latest = previous;
      this.progress = progress;
    }

    CommitInfo commit() throws IOException, IndexException {
      CommitInfo info = Indexer.this.commit(writer, cache, latest);
      latest = Optional.of(info);
      count++;
      progress.committed();
      return info;
    }

    int count() {
      return count;
    }
  }

  /**
   * Step 4 and 5: vectors for exactly the live chunks that have one by now (a new delta, or a rebuilt
   * base), then one Lucene commit, which records how many chunks that covers.
   */
  private CommitInfo commit(IndexWriter writer, EmbeddingCache cache, Optional<CommitInfo> previous)
      throws IOException, IndexException {
    Map<Long, Integer> chunksPerHash;
    int files;
    int chunks;
    try (DirectoryReader reader = DirectoryReader.open(writer)) {
      chunksPerHash = liveHashCounts(reader);
      IndexSearcher searcher = new IndexSearcher(reader);
      files = searcher.count(new TermQuery(new Term(ChunkFields.KIND, ChunkFields.KIND_FILE)));
      chunks = searcher.count(new TermQuery(new Term(ChunkFields.KIND, ChunkFields.KIND_CHUNK)));
    }
    KnownVectors known = knownVectors(previous, cache);
    Set<Long> live = new HashSet<>();
    int embeddedChunks = 0;
    for (Map.Entry<Long, Integer> e : chunksPerHash.entrySet()) {
      if (known.has(e.getKey())) {
        live.add(e.getKey());
        embeddedChunks += e.getValue();
      }
    }
    Optional<VectorFiles> vectorFiles = previous.isPresent()
        ? extendDelta(previous.get(), known, live)
        : Optional.empty();
    if (vectorFiles.isEmpty()) {
      vectorFiles = Optional.of(rebuildBase(previous, known, live));
    }
    CommitInfo info = new CommitInfo(identity.provider(), identity.model(), identity.dimension(), vectorFiles.get().base(),
        vectorFiles.get().delta(), Instant.now(), files, chunks, embeddedChunks, Version.CIDX);
    Map<String, String> userData = new HashMap<>(info.toUserData());
    userData.put(CHUNKER_VERSION, Chunker.VERSION);
    userData.put(FIELDS_VERSION, ChunkDocuments.FIELDS_VERSION);
    writer.setLiveCommitData(userData.entrySet());
    writer.commit();
    // The commit is in place: from here on, a failure only leaves files the next commit removes or
    // rewrites, so it must not turn a successful run into a failed one.
    removeUnusedVectorFiles(info);
    try {
      cache.compact(chunksPerHash.keySet());
    } catch (IOException e) {
      LOG.warning("committed, but compacting the embedding cache failed (the next run retries): " + e);
    }
    return info;
  }

  /** The base and delta file names a commit records. */
  private record VectorFiles(String base, Optional<String> delta) {}

  /**
   * The vectors a commit can name: those of the last commit's base (by its hash list) and delta, and
   * the cache's vectors of the run's model. {@link #get} serves a live hash the base lacks: from the
   * previous delta, else the cache.
   */
  private record KnownVectors(Optional<BaseHashes> base, DeltaVectors previousDelta, EmbeddingCache cache,
      String model) {
    boolean has(long hash) {
      return base.isPresent() && base.get().contains(hash) || previousDelta.contains(hash)
          || cache.contains(model, hash);
    }

    /** The vector, or null when neither has it; {@link #requireAll} first makes sure one does. */
    float[] get(long hash) {
      return previousDelta.vector(hash).orElseGet(() -> cache.get(model, hash));
    }

    void requireAll(List<Long> hashes) throws IndexException {
      for (Long hash : hashes) {
        if (!previousDelta.contains(hash) && !cache.contains(model, hash)) {
          throw new IndexException("internal error: chunk " + Long.toHexString(hash) + " has no embedding");
        }
      }
    }
  }

  /**
   * The incremental path: the base stays as it is, and the new delta holds every live hash the base
   * lacks (from the previous delta, else from the cache). Dead hashes stay in the base; readers skip a
   * hash without live chunk documents. Empty when the base must be rebuilt instead: its hash list is
   * missing (an index from before deltas) or unreadable, or the {@link CompactionPolicy} says so.
   */
  private Optional<VectorFiles> extendDelta(CommitInfo previous, KnownVectors known, Set<Long> live)
      throws IOException, IndexException {
    Path dir = repo.indexDir();
    Path hashesFile = dir.resolve(BaseHashes.fileNameFor(previous.vectorsFile()));
    if (!Files.isRegularFile(dir.resolve(previous.vectorsFile())) || !Files.isRegularFile(hashesFile)) {
      return Optional.empty();
    }
    BaseHashes base;
    try {
      base = BaseHashes.read(hashesFile);
    } catch (IOException e) {
      return Optional.empty(); // rebuilding writes a good one
    }
    List<Long> added = new ArrayList<>();
    int liveInBase = 0;
    for (Long hash : live) {
      if (base.contains(hash)) {
        liveInBase++;
      } else {
        added.add(hash);
      }
    }
    if (compaction.rebuildsBase(base.size(), added.size(), base.size() - liveInBase)) {
      return Optional.empty();
    }
    if (added.isEmpty()) {
      return Optional.of(new VectorFiles(previous.vectorsFile(), Optional.empty()));
    }
    DeltaVectors previousDelta = known.previousDelta();
    if (added.size() == previousDelta.size() && added.stream().allMatch(previousDelta::contains)) {
      return Optional.of(new VectorFiles(previous.vectorsFile(), previous.deltaFile())); // nothing new to write
    }
    added.sort(null);
    known.requireAll(added);
    DeltaVectors delta = DeltaVectors.of(identity.dimension(), added, known::get);
    String deltaFile = freshName(DELTA_PREFIX, ".vec");
    writeAndRename(deltaFile, delta::write);
    return Optional.of(new VectorFiles(previous.vectorsFile(), Optional.of(deltaFile)));
  }

  /**
   * Compaction, and the first build: the previous base (or a new graph) with its dead hashes removed and
   * every other live hash added, saved under a new name with its hash list, and no delta.
   *
   * <p>hnswlib only marks a removed vector deleted: it keeps its node, which every later graph search
   * still walks and every insert still meets. So the old graph is kept only while such dead nodes stay
   * within the policy's dead fraction of the live vectors; past it (a repository whose chunks all changed,
   * a chunker upgrade, a deleted directory) the graph is built anew from the live vectors alone, which is
   * also faster than inserting into a graph of mostly dead nodes.
   */
  private VectorFiles rebuildBase(Optional<CommitInfo> previous, KnownVectors known, Set<Long> live)
      throws IOException, IndexException {
    VectorStore old = null;
    if (previous.isPresent()) {
      Path file = repo.indexDir().resolve(previous.get().vectorsFile());
      if (Files.isRegularFile(file)) {
        old = VectorStore.load(file);
      }
    }
    List<Long> dead = new ArrayList<>();
    if (old != null) {
      for (Long hash : old.hashes()) {
        if (!live.contains(hash)) {
          dead.add(hash);
        }
      }
    }
    VectorStore store = null;
    boolean keepOld = old != null
        && old.deadSlots() + dead.size() <= compaction.deadFraction() * live.size() + VectorStore.MIN_CAPACITY;
    if (keepOld) {
      for (Long hash : dead) {
        old.remove(hash);
      }
      List<Long> missing = new ArrayList<>();
      for (Long hash : live) {
        if (!old.contains(hash)) {
          missing.add(hash);
        }
      }
      known.requireAll(missing);
      old.addAll(missing, known::get);
      // A graph saved by an older cidx may refuse a hash it once removed (see VectorStore.remove).
      store = missing.stream().allMatch(old::contains) ? old : null;
    }
    if (store == null) {
      store = newBase(old, known, live);
    }

    String vectorsFile = freshName(BASE_PREFIX, ".hnsw");
    writeAndRename(vectorsFile, store::save);
    writeAndRename(BaseHashes.fileNameFor(vectorsFile), BaseHashes.of(store.hashes())::write);
    return new VectorFiles(vectorsFile, Optional.empty());
  }

  /** A graph of the live vectors alone: those the old graph holds come from it, the rest from {@code known}. */
  private VectorStore newBase(VectorStore old, KnownVectors known, Set<Long> live) throws IOException, IndexException {
    List<Long> unknown = new ArrayList<>();
    for (Long hash : live) {
      if (old == null || !old.contains(hash)) {
        unknown.add(hash);
      }
    }
    known.requireAll(unknown);
    VectorStore store = VectorStore.create(identity.dimension(), 0); // addAll makes room for exactly what it adds
    LongFunction<float[]> vectors = old == null ? known::get : h -> old.vector(h).orElseGet(() -> known.get(h));
    store.addAll(new ArrayList<>(live), vectors);
    return store;
  }

  private KnownVectors knownVectors(Optional<CommitInfo> previous, EmbeddingCache cache) throws IOException {
    return new KnownVectors(baseHashes(previous), previousDelta(previous), cache, identity.cacheKey());
  }

  /**
   * The hashes in the last commit's base: its hash list, or, for a base from before hash lists (or with
   * a damaged list), the base itself, loaded once. Empty without a base file.
   */
  private Optional<BaseHashes> baseHashes(Optional<CommitInfo> previous) throws IOException {
    if (previous.isEmpty()) {
      return Optional.empty();
    }
    Path base = repo.indexDir().resolve(previous.get().vectorsFile());
    if (!Files.isRegularFile(base)) {
      return Optional.empty();
    }
    try {
      return Optional.of(BaseHashes.read(repo.indexDir().resolve(BaseHashes.fileNameFor(previous.get().vectorsFile()))));
    } catch (IOException e) {
      return Optional.of(BaseHashes.of(VectorStore.load(base).hashes()));
    }
  }

  private DeltaVectors previousDelta(Optional<CommitInfo> previous) throws IOException {
    if (previous.isEmpty() || previous.get().deltaFile().isEmpty()) {
      return DeltaVectors.empty(identity.dimension());
    }
    Path file = repo.indexDir().resolve(previous.get().deltaFile().get());
    try {
      return DeltaVectors.read(file);
    } catch (IOException e) {
      // Its live vectors are in the embedding cache too (compaction keeps every live hash there).
      return DeltaVectors.empty(identity.dimension());
    }
  }

  /**
   * Deletes every vector file the new commit does not name: the previous base, its hash list and delta
   * once replaced, files of runs that died before their commit, and {@code .tmp} files (no other writer
   * can be making one: this runs under Lucene's write lock). A file that cannot be deleted now (open
   * elsewhere, on a system that forbids that) is left for the next commit.
   */
  private void removeUnusedVectorFiles(CommitInfo current) {
    Set<String> keep = new HashSet<>();
    keep.add(current.vectorsFile());
    keep.add(BaseHashes.fileNameFor(current.vectorsFile()));
    current.deltaFile().ifPresent(keep::add);
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(repo.indexDir(),
        p -> isVectorFile(p.getFileName().toString()))) {
      for (Path p : stream) {
        if (!keep.contains(p.getFileName().toString())) {
          try {
            Files.deleteIfExists(p);
          } catch (IOException e) {
            // left for the next commit; this one is already durable
          }
        }
      }
    } catch (IOException e) {
      // the same: the next commit lists the directory again
    }
  }

  private static boolean isVectorFile(String name) {
    return name.startsWith(BASE_PREFIX) || name.startsWith(DELTA_PREFIX);
  }

  /** {@code prefix + millis + suffix}, never the name of an existing file (a previous commit's, say). */
  private String freshName(String prefix, String suffix) {
    long millis = System.currentTimeMillis();
    while (true) {
      String name = prefix + millis + suffix;
      if (!Files.exists(repo.indexDir().resolve(name))
          && !Files.exists(repo.indexDir().resolve(name + TMP_SUFFIX))) {
        return name;
      }
      millis++;
    }
  }

  /** Writes a file completely and forces it to disk. */
  @FunctionalInterface
  private interface FileWriter {
    void write(Path file) throws IOException;
  }

  /**
   * Writes {@code name} as {@code name.tmp}, forced to disk, then renames it atomically, so the name only
   * ever denotes a complete file. Lucene's commit, which follows, syncs the directory, which makes the
   * rename durable before the commit that names the file.
   */
  private void writeAndRename(String name, FileWriter writer) throws IOException {
    Path tmp = repo.indexDir().resolve(name + TMP_SUFFIX);
    boolean done = false;
    try {
      writer.write(tmp);
      PrivateFiles.replace(tmp, repo.indexDir().resolve(name));
      done = true;
    } finally {
      if (!done) {
        deleteQuietly(tmp); // on a full disk, the space it holds is what the next run needs
      }
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover is removed by the next successful commit
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

  /**
   * Whether the last commit was cut by this {@link Chunker#VERSION} into documents with these
   * {@link ChunkDocuments#FIELDS_VERSION}; an index from before either was recorded is not.
   */
  private static boolean isCurrentLayout(Path indexDir) throws IOException {
    try (Directory dir = FSDirectory.open(indexDir)) {
      Map<String, String> data = SegmentInfos.readLatestCommit(dir).getUserData();
      return Chunker.VERSION.equals(data.get(CHUNKER_VERSION))
          && ChunkDocuments.FIELDS_VERSION.equals(data.get(FIELDS_VERSION));
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

  /** The content hash of every live chunk document, with the number of documents that have it. */
  static Map<Long, Integer> liveHashCounts(DirectoryReader reader) throws IOException {
    Map<Long, Integer> hashes = new HashMap<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      NumericDocValues values = leaf.reader().getNumericDocValues(ChunkFields.HASH);
      if (values == null) {
        continue;
      }
      Bits liveDocs = leaf.reader().getLiveDocs();
      for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
        if (liveDocs == null || liveDocs.get(doc)) {
          hashes.merge(values.longValue(), 1, Integer::sum);
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
