package dev.cidx.index;

import dev.cidx.config.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.IOUtils;

/**
 * One committed state of a repository's index, opened read-only: a Lucene reader and searcher, the
 * vectors named by that commit (its HNSW base and its delta), and the commit's metadata. Never holds an
 * index writer.
 *
 * <p>Safe for any number of concurrent queries. The delta is small and read when the snapshot opens; the
 * base is read whole into memory on first use, so a semantic query never touches the disk for vectors.
 * The base file is opened with the snapshot, so a later commit that rebuilds the base and deletes this
 * one's cannot pull it from under a snapshot that has not read it yet (the same way Lucene's own files
 * outlive their commit for the readers that have them open).
 *
 * <p>{@link #reopenIfChanged} gives the next commit's snapshot at the cost of what changed: both share the
 * index directory (closed with the last of them), the tables of unchanged segments and an unchanged base.
 */
public final class IndexSnapshot implements AutoCloseable {
  private static final int[] NO_DOCS = new int[0];
  /** The stored fields {@link #chunk} reads: not the context line, which only the model reads. */
  private static final Set<String> HIT_FIELDS = Set.of(ChunkFields.PATH, ChunkFields.LANGUAGE, ChunkFields.START_LINE,
      ChunkFields.END_LINE, ChunkFields.CONTENT, ChunkFields.FILE_MTIME);

  private final Path root;
  private final SharedDirectory directory;
  private final DirectoryReader reader;
  private final IndexSearcher searcher;
  private final String vectorFileName;
  private FileChannel vectorFile; // guarded by this; open until the base is loaded or the snapshot closed
  /** The base being read on another thread since the snapshot opened, or null; guarded by this. */
  private CompletableFuture<TimedBase> reading;
  private VectorStore vectors; // guarded by this; loaded on first use, or shared with the snapshot reopened
  private final DeltaVectors delta;
  private final CommitInfo commit;
  /** The reader's leaves and what was derived from each, in the same order. */
  private final List<LeafReaderContext> leaves;
  private final SegmentData[] segments;
  private final Set<String> paths;
  private final Set<String> languages;
  private final CommitStamp stamp;
  private volatile boolean closed;
  /** How long each part of opening took, for the daemon's log: Lucene, delta, tables; base when read. */
  private long luceneNanos;
  private long deltaNanos;
  private long tablesNanos;
  private long baseNanos; // guarded by this

  private IndexSnapshot(Path root, SharedDirectory directory, DirectoryReader reader, FileChannel vectorFile,
      CompletableFuture<TimedBase> reading, VectorStore vectors, DeltaVectors delta, CommitInfo commit,
      Map<Object, SegmentData> known) throws IOException {
    this.root = root;
    this.directory = directory;
    this.reader = reader;
    this.searcher = new IndexSearcher(reader);
    this.vectorFileName = commit.vectorsFile();
    this.vectorFile = vectorFile;
    this.reading = reading;
    this.vectors = vectors;
    this.delta = delta;
    this.commit = commit;
    this.leaves = reader.leaves();
    this.segments = new SegmentData[leaves.size()];
    Set<String> p = new TreeSet<>();
    Set<String> l = new TreeSet<>();
    for (int i = 0; i < segments.length; i++) {
      LeafReaderContext leaf = leaves.get(i);
      Object key = coreKey(leaf);
      SegmentData data = key != null ? known.get(key) : null;
      segments[i] = data != null ? data : SegmentData.read(leaf);
      segments[i].addLive(leaf.reader().getLiveDocs(), p, l);
    }
    this.paths = Collections.unmodifiableSet(p);
    this.languages = Collections.unmodifiableSet(l);
    this.stamp = new CommitStamp(directory.path());
  }

  /**
   * Opens the latest commit.
   *
   * @throws IndexMissingException when nothing was ever committed
   * @throws IndexDamagedException when the index or its vector file cannot be read
   */
  public static IndexSnapshot open(RepoPaths repo) throws IOException {
    return open(repo, null);
  }

  /**
   * Opens the latest commit and starts reading its HNSW base on {@code baseReader} (null: read on first
   * use), beside the tables this thread builds meanwhile. On java.base each takes about 0.4 s; a daemon
   * loading its cache wants both.
   */
  public static IndexSnapshot open(RepoPaths repo, Executor baseReader) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return openOnce(repo, attempt < OPEN_ATTEMPTS, baseReader);
      } catch (Superseded e) {
        // A commit landed between opening the Lucene commit and its vector files, and its clean-up
        // deleted them: open the newer commit instead.
      }
    }
  }

  /** How many times {@link #open} tries when commits keep landing while it opens the one before. */
  private static final int OPEN_ATTEMPTS = 3;

  /** The vector files of the commit being opened are gone because a newer commit replaced them. */
  private static final class Superseded extends IOException {
    private static final long serialVersionUID = 1L;
  }

  private static IndexSnapshot openOnce(RepoPaths repo, boolean mayRetry, Executor baseReader) throws IOException {
    Path indexDir = repo.indexDir();
    if (!Files.isDirectory(indexDir)) {
      throw new IndexMissingException("no index here: run `cidx init` then `cidx index`");
    }
    SharedDirectory dir = new SharedDirectory(FSDirectory.open(indexDir));
    boolean success = false;
    DirectoryReader reader = null;
    try {
      if (!DirectoryReader.indexExists(dir.directory)) {
        throw new IndexMissingException("no index here: run `cidx init` then `cidx index`");
      }
      long start = System.nanoTime();
      reader = DirectoryReader.open(dir.directory);
      long luceneNanos = System.nanoTime() - start;
      IndexSnapshot snapshot = openVectors(repo.root(), indexDir, dir, reader, null, Map.of(), mayRetry, baseReader);
      snapshot.luceneNanos = luceneNanos;
      success = true;
      return snapshot;
    } catch (CorruptIndexException | IndexFormatTooOldException | IndexFormatTooNewException e) {
      throw damaged(e);
    } finally {
      if (!success) {
        closeQuietly(reader);
        closeQuietly(dir::release);
      }
    }
  }

  /**
   * The snapshot of the newest commit, sharing with this one what that commit did not change; null when
   * nothing was committed since this one. Costs what changed: Lucene reopens only new segments
   * ({@link DirectoryReader#openIfChanged}), the per-segment hash and path tables of unchanged segments
   * are reused, and an unchanged HNSW base is shared (read once, immutable) while only the small delta is
   * read. This snapshot stays open and usable; each is closed on its own.
   *
   * @throws IndexDamagedException when the new commit's files cannot be read
   */
  public IndexSnapshot reopenIfChanged() throws IOException {
    for (int attempt = 1; ; attempt++) {
      DirectoryReader newer;
      try {
        newer = DirectoryReader.openIfChanged(reader);
      } catch (CorruptIndexException | IndexFormatTooOldException | IndexFormatTooNewException e) {
        throw damaged(e);
      }
      if (newer == null) {
        return null;
      }
      boolean success = false;
      directory.retain();
      try {
        VectorStore base;
        synchronized (this) {
          base = vectors;
        }
        Map<Object, SegmentData> known = new HashMap<>();
        for (int i = 0; i < segments.length; i++) {
          Object key = coreKey(leaves.get(i));
          if (key != null) {
            known.put(key, segments[i]);
          }
        }
        IndexSnapshot next = openVectors(root, directory.path(), directory, newer,
            base != null && vectorFileName.equals(commitOf(newer).vectorsFile()) ? base : null, known,
            attempt < OPEN_ATTEMPTS, null);
        success = true;
        return next;
      } catch (Superseded e) {
        // a commit landed while this one opened and removed its vector files: reopen to that one
      } finally {
        if (!success) {
          closeQuietly(newer);
          closeQuietly(directory::release);
        }
      }
    }
  }

  private static CommitInfo commitOf(DirectoryReader reader) throws IOException {
    return CommitInfo.fromUserData(reader.getIndexCommit().getUserData());
  }

  /**
   * The snapshot over {@code reader}: its commit's delta read now, and its base either {@code base}
   * (shared, already read) or opened here to be read on first use. Closes nothing on failure.
   */
  private static IndexSnapshot openVectors(Path root, Path indexDir, SharedDirectory dir, DirectoryReader reader,
      VectorStore base, Map<Object, SegmentData> known, boolean mayRetry, Executor baseReader) throws IOException {
    FileChannel vectorChannel = null;
    boolean success = false;
    try {
      CommitInfo commit = commitOf(reader);
      if (base == null) {
        try {
          vectorChannel = FileChannel.open(indexDir.resolve(commit.vectorsFile()), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
          throw missing(reader, mayRetry, "the index is damaged: its vector file " + commit.vectorsFile()
              + " is missing; run `cidx index --clear` to rebuild it");
        }
      }
      long deltaStart = System.nanoTime();
      DeltaVectors delta = DeltaVectors.empty(commit.dimension());
      if (commit.deltaFile().isPresent()) {
        Path deltaFile = indexDir.resolve(commit.deltaFile().get());
        try {
          delta = DeltaVectors.read(deltaFile);
          if (delta.dimension() != commit.dimension()) {
            throw new IOException("its dimension (" + delta.dimension() + ") is not the index's ("
                + commit.dimension() + ")");
          }
        } catch (NoSuchFileException e) {
          throw missing(reader, mayRetry, "the index is damaged: its vector delta " + commit.deltaFile().get()
              + " is missing; run `cidx index --clear` to rebuild it");
        } catch (IOException e) {
          throw new IndexDamagedException("the index is damaged: its vector delta " + commit.deltaFile().get()
              + " is unreadable (" + e.getMessage() + "); run `cidx index --clear` to rebuild it", e);
        }
      }
      CompletableFuture<TimedBase> reading = null;
      if (vectorChannel != null && baseReader != null) {
        FileChannel channel = vectorChannel;
        reading = CompletableFuture.supplyAsync(() -> TimedBase.read(channel, commit.vectorsFile()), baseReader);
      }
      long tablesStart = System.nanoTime();
      IndexSnapshot snapshot = new IndexSnapshot(root, dir, reader, vectorChannel, reading, base, delta, commit, known);
      snapshot.deltaNanos = tablesStart - deltaStart;
      snapshot.tablesNanos = System.nanoTime() - tablesStart;
      success = true;
      return snapshot;
    } catch (CorruptIndexException | IndexFormatTooOldException | IndexFormatTooNewException e) {
      throw damaged(e);
    } finally {
      if (!success) {
        closeQuietly(vectorChannel);
      }
    }
  }

  private static IndexDamagedException damaged(IOException e) {
    return new IndexDamagedException("the index is damaged (" + e.getMessage().lines().findFirst().orElse("")
        + "); run `cidx index --clear` to rebuild it", e);
  }

  /** A missing vector file: damage, unless a newer commit has replaced it and another attempt may follow. */
  private static IOException missing(DirectoryReader reader, boolean mayRetry, String damaged) throws IOException {
    if (mayRetry && !reader.isCurrent()) {
      return new Superseded();
    }
    return new IndexDamagedException(damaged, null);
  }

  /** False once a newer commit exists on disk: the caller should open a new snapshot. */
  public boolean isCurrent() throws IOException {
    return stamp.isCurrent(reader::isCurrent);
  }

  public IndexSearcher searcher() {
    return searcher;
  }

  /**
   * The HNSW base of this commit, read into memory on first use (a full-text query never pays for it;
   * the daemon calls this when it loads, so its queries never do). It may hold hashes that no live chunk
   * has any more (see {@link #docsWithHash}), and lacks the ones in {@link #deltaVectors()}.
   */
  public synchronized VectorStore vectors() throws IOException {
    if (vectors == null) {
      if (vectorFile == null) {
        throw new IOException("the snapshot is closed");
      }
      TimedBase read = reading != null ? TimedBase.await(reading) : TimedBase.read(vectorFile, vectorFileName);
      reading = null;
      vectors = read.vectors();
      baseNanos = read.nanos();
      vectorFile.close();
      vectorFile = null;
    }
    return vectors;
  }

  /**
   * What opening this snapshot cost, part by part, for the daemon's log: "Lucene 40 ms, delta 0 ms (0
   * vectors), tables 120 ms, HNSW base 310 ms (51301 vectors)"; the base's part only once it was read here.
   */
  public synchronized String openTimes() {
    String times = "Lucene " + millis(luceneNanos) + " ms, delta " + millis(deltaNanos) + " ms (" + delta.size()
        + " vectors), tables " + millis(tablesNanos) + " ms";
    return baseNanos == 0 || vectors == null ? times
        : times + ", HNSW base " + millis(baseNanos) + " ms (" + vectors.size() + " vectors)";
  }

  private static long millis(long nanos) {
    return Math.round(nanos / 1e6);
  }

  /** The vectors of live chunks that the base lacks, exactly scanned by queries; empty for older indexes. */
  public DeltaVectors deltaVectors() {
    return delta;
  }

  public CommitInfo commit() {
    return commit;
  }

  public Path root() {
    return root;
  }

  /** Every indexed path, sorted: the universe path globs are evaluated against. */
  public Set<String> paths() {
    return paths;
  }

  public Set<String> languages() {
    return languages;
  }

  /** The live chunk documents whose content has {@code hash}; empty when none. */
  public int[] docsWithHash(long hash) {
    int[] out = NO_DOCS;
    int n = 0;
    for (int i = 0; i < segments.length; i++) {
      int[] local = segments[i].docsByHash.get(hash);
      if (local == null) {
        continue;
      }
      LeafReaderContext leaf = leaves.get(i);
      Bits live = leaf.reader().getLiveDocs();
      for (int doc : local) {
        if (live == null || live.get(doc)) {
          if (n == out.length) {
            out = Arrays.copyOf(out, Math.max(2, n * 2));
          }
          out[n++] = leaf.docBase + doc;
        }
      }
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /** The content hash of a chunk document. */
  public long hashOf(int doc) {
    int i = ReaderUtil.subIndex(doc, leaves);
    return segments[i].hashes[doc - leaves.get(i).docBase];
  }

  /** What a hit shows of chunk document {@code doc}. */
  public StoredChunk chunk(int doc) throws IOException {
    Document d = searcher.storedFields().document(doc, HIT_FIELDS);
    return new StoredChunk(d.get(ChunkFields.PATH), d.get(ChunkFields.LANGUAGE),
        d.getField(ChunkFields.START_LINE).numericValue().intValue(),
        d.getField(ChunkFields.END_LINE).numericValue().intValue(), d.get(ChunkFields.CONTENT),
        d.getField(ChunkFields.FILE_MTIME).numericValue().longValue());
  }

  public int chunkCount() {
    return commit.chunks();
  }

  public int fileCount() {
    return commit.files();
  }

  /** Bytes on disk of this commit: its Lucene files and its vector files (base, hash list and delta). */
  public long sizeOnDisk() throws IOException {
    Set<String> files = new TreeSet<>(reader.getIndexCommit().getFileNames());
    files.add(commit.vectorsFile());
    files.add(BaseHashes.fileNameFor(commit.vectorsFile()));
    commit.deltaFile().ifPresent(files::add);
    long total = 0;
    for (String name : files) {
      try {
        total += directory.directory.fileLength(name);
      } catch (IOException e) {
        // removed by a later commit, or a hash list an older index never had
      }
    }
    return total;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    FileChannel unread;
    synchronized (this) {
      unread = vectorFile; // a read still running on another thread fails, and nobody waits for it
      vectorFile = null;
      reading = null;
    }
    IOUtils.close(unread, reader, directory::release); // closes each even when one fails
  }

  /** A base read from its file, and how long the read took (for {@link #openTimes()}). */
  private record TimedBase(VectorStore vectors, long nanos) {
    static TimedBase read(FileChannel file, String name) {
      long start = System.nanoTime();
      try {
        return new TimedBase(VectorStore.load(file, name), System.nanoTime() - start);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static TimedBase await(CompletableFuture<TimedBase> reading) throws IOException {
      try {
        return reading.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof UncheckedIOException io) {
          throw io.getCause();
        }
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
  }

  /** The key under which Lucene shares a segment's core between a reader and its reopened successor. */
  private static Object coreKey(LeafReaderContext leaf) {
    IndexReader.CacheHelper helper = leaf.reader().getCoreCacheHelper();
    return helper != null ? helper.getKey() : null;
  }

  /**
   * What a snapshot derives from one segment, live or deleted documents alike (segments are immutable,
   * only their deletions change): the hash of each document, the documents of each hash, the path and
   * language of each file document. Read once per segment and handed from a snapshot to the one reopened
   * from it, so a commit pays only for its new segments; deletions are applied when the tables are used.
   */
  private static final class SegmentData {
    /** The content hash of each document of the segment, 0 for documents that are not chunks. */
    final long[] hashes;
    /** Segment-local chunk documents per content hash: a vector may stand for several chunks. */
    final Map<Long, int[]> docsByHash;
    final int[] fileDocs;
    final String[] filePaths;
    final String[] fileLanguages;

    private SegmentData(long[] hashes, Map<Long, int[]> docsByHash, int[] fileDocs, String[] filePaths,
        String[] fileLanguages) {
      this.hashes = hashes;
      this.docsByHash = docsByHash;
      this.fileDocs = fileDocs;
      this.filePaths = filePaths;
      this.fileLanguages = fileLanguages;
    }

    static SegmentData read(LeafReaderContext leaf) throws IOException {
      LeafReader r = leaf.reader();
      long[] hashes = new long[r.maxDoc()];
      // Most hashes have one chunk: a one-element array each, grown on the rare repeat, no boxed lists.
      Map<Long, int[]> docsByHash = new HashMap<>();
      NumericDocValues values = r.getNumericDocValues(ChunkFields.HASH);
      if (values != null) {
        for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
          long hash = values.longValue();
          hashes[doc] = hash;
          docsByHash.merge(hash, new int[] {doc}, SegmentData::append);
        }
      }
      List<Integer> docs = new ArrayList<>();
      List<String> paths = new ArrayList<>();
      List<String> languages = new ArrayList<>();
      PostingsEnum files = r.postings(new Term(ChunkFields.KIND, ChunkFields.KIND_FILE), PostingsEnum.NONE);
      if (files != null) {
        // Path and language from their doc values: reading them as stored fields decompressed a block of
        // chunk text per file document (about a second on java.base's 3,000 files).
        SortedDocValues pathValues = DocValues.getSorted(r, ChunkFields.PATH);
        SortedDocValues languageValues = DocValues.getSorted(r, ChunkFields.LANGUAGE);
        StoredFields stored = null;
        for (int doc = files.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = files.nextDoc()) {
          String path = pathValues.advanceExact(doc) ? pathValues.lookupOrd(pathValues.ordValue()).utf8ToString() : null;
          String language = languageValues.advanceExact(doc)
              ? languageValues.lookupOrd(languageValues.ordValue()).utf8ToString() : null;
          if (path == null) { // not in doc values: read what is stored
            stored = stored != null ? stored : r.storedFields();
            Document d = stored.document(doc, Set.of(ChunkFields.PATH, ChunkFields.LANGUAGE));
            path = d.get(ChunkFields.PATH);
            language = d.get(ChunkFields.LANGUAGE);
          }
          docs.add(doc);
          paths.add(path);
          languages.add(language);
        }
      }
      return new SegmentData(hashes, docsByHash, docs.stream().mapToInt(Integer::intValue).toArray(),
          paths.toArray(String[]::new), languages.toArray(String[]::new));
    }

    private static int[] append(int[] docs, int[] more) {
      int[] all = Arrays.copyOf(docs, docs.length + more.length);
      System.arraycopy(more, 0, all, docs.length, more.length);
      return all;
    }

    /** Adds the path and language of each live file document. */
    void addLive(Bits live, Set<String> paths, Set<String> languages) {
      for (int i = 0; i < fileDocs.length; i++) {
        if (live == null || live.get(fileDocs[i])) {
          paths.add(filePaths[i]);
          if (fileLanguages[i] != null) {
            languages.add(fileLanguages[i]);
          }
        }
      }
    }
  }

  /**
   * The index directory, shared by a snapshot and those reopened from it (Lucene reopens through the
   * reader's own directory), closed when the last of them closes.
   */
  private static final class SharedDirectory {
    final Directory directory;
    private final java.util.concurrent.atomic.AtomicInteger users = new java.util.concurrent.atomic.AtomicInteger(1);

    SharedDirectory(Directory directory) {
      this.directory = directory;
    }

    Path path() {
      return ((FSDirectory) directory).getDirectory();
    }

    void retain() {
      users.incrementAndGet();
    }

    void release() throws IOException {
      if (users.decrementAndGet() == 0) {
        directory.close();
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // already failing; the original exception is the one to report
      }
    }
  }
}
