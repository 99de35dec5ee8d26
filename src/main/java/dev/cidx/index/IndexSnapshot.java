package dev.cidx.index;

import dev.cidx.config.RepoPaths;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
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
 */
public final class IndexSnapshot implements AutoCloseable {
  private final Path root;
  private final Directory directory;
  private final DirectoryReader reader;
  private final IndexSearcher searcher;
  private final String vectorFileName;
  private FileChannel vectorFile; // guarded by this; open until the base is loaded or the snapshot closed
  private VectorStore vectors; // guarded by this; loaded on first use
  private final DeltaVectors delta;
  private final CommitInfo commit;
  /** Chunk documents per content hash: a vector found by the graph may stand for several chunks. */
  private final Map<Long, int[]> docsByHash;
  /** The content hash of each chunk document (0 for other documents), for exact filtered scans. */
  private final long[] hashByDoc;
  private final Set<String> paths;
  private final Set<String> languages;
  private volatile boolean closed;

  private IndexSnapshot(Path root, Directory directory, DirectoryReader reader, FileChannel vectorFile,
      DeltaVectors delta, CommitInfo commit) throws IOException {
    this.root = root;
    this.directory = directory;
    this.reader = reader;
    this.searcher = new IndexSearcher(reader);
    this.vectorFileName = commit.vectorsFile();
    this.vectorFile = vectorFile;
    this.delta = delta;
    this.commit = commit;
    this.hashByDoc = new long[reader.maxDoc()];
    this.docsByHash = mapHashes(reader, hashByDoc);
    Set<String> p = new TreeSet<>();
    Set<String> l = new TreeSet<>();
    var stored = searcher.storedFields();
    var fileDocs = new org.apache.lucene.search.TermQuery(
        new org.apache.lucene.index.Term(ChunkFields.KIND, ChunkFields.KIND_FILE));
    for (var sd : searcher.search(fileDocs, Math.max(1, reader.numDocs())).scoreDocs) {
      Document d = stored.document(sd.doc, Set.of(ChunkFields.PATH, ChunkFields.LANGUAGE));
      p.add(d.get(ChunkFields.PATH));
      if (d.get(ChunkFields.LANGUAGE) != null) {
        l.add(d.get(ChunkFields.LANGUAGE));
      }
    }
    this.paths = Collections.unmodifiableSet(p);
    this.languages = Collections.unmodifiableSet(l);
  }

  /**
   * Opens the latest commit.
   *
   * @throws IndexMissingException when nothing was ever committed
   * @throws IndexDamagedException when the index or its vector file cannot be read
   */
  public static IndexSnapshot open(RepoPaths repo) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return openOnce(repo, attempt < OPEN_ATTEMPTS);
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

  private static IndexSnapshot openOnce(RepoPaths repo, boolean mayRetry) throws IOException {
    Path indexDir = repo.indexDir();
    if (!Files.isDirectory(indexDir)) {
      throw new IndexMissingException("no index here: run `cidx init` then `cidx index`");
    }
    Directory dir = FSDirectory.open(indexDir);
    boolean success = false;
    DirectoryReader reader = null;
    FileChannel vectorChannel = null;
    try {
      if (!DirectoryReader.indexExists(dir)) {
        throw new IndexMissingException("no index here: run `cidx init` then `cidx index`");
      }
      reader = DirectoryReader.open(dir);
      CommitInfo commit = CommitInfo.fromUserData(reader.getIndexCommit().getUserData());
      try {
        vectorChannel = FileChannel.open(indexDir.resolve(commit.vectorsFile()), StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        throw missing(reader, mayRetry, "the index is damaged: its vector file " + commit.vectorsFile()
            + " is missing; run `cidx index --clear` to rebuild it");
      }
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
      IndexSnapshot snapshot = new IndexSnapshot(repo.root(), dir, reader, vectorChannel, delta, commit);
      success = true;
      return snapshot;
    } catch (CorruptIndexException | IndexFormatTooOldException | IndexFormatTooNewException e) {
      throw new IndexDamagedException("the index is damaged (" + e.getMessage().lines().findFirst().orElse("")
          + "); run `cidx index --clear` to rebuild it", e);
    } finally {
      if (!success) {
        closeQuietly(vectorChannel);
        closeQuietly(reader);
        closeQuietly(dir);
      }
    }
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
    return reader.isCurrent();
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
      vectors = VectorStore.load(vectorFile, vectorFileName);
      vectorFile.close();
      vectorFile = null;
    }
    return vectors;
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

  /** The chunk documents whose content has {@code hash}; empty when none. */
  public int[] docsWithHash(long hash) {
    return docsByHash.getOrDefault(hash, new int[0]);
  }

  /** The content hash of a chunk document. */
  public long hashOf(int doc) {
    return hashByDoc[doc];
  }

  /** The stored fields of a chunk document. */
  public Document document(int doc) throws IOException {
    return searcher.storedFields().document(doc);
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
        total += directory.fileLength(name);
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
      unread = vectorFile;
      vectorFile = null;
    }
    IOUtils.close(unread, reader, directory); // closes each even when one fails
  }

  private static Map<Long, int[]> mapHashes(DirectoryReader reader, long[] hashByDoc) throws IOException {
    Map<Long, List<Integer>> lists = new HashMap<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      NumericDocValues values = leaf.reader().getNumericDocValues(ChunkFields.HASH);
      if (values == null) {
        continue;
      }
      Bits live = leaf.reader().getLiveDocs();
      for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
        if (live == null || live.get(doc)) {
          hashByDoc[leaf.docBase + doc] = values.longValue();
          lists.computeIfAbsent(values.longValue(), k -> new ArrayList<>(1)).add(leaf.docBase + doc);
        }
      }
    }
    Map<Long, int[]> out = new HashMap<>(lists.size() * 2);
    lists.forEach((hash, docs) -> out.put(hash, docs.stream().mapToInt(Integer::intValue).toArray()));
    return out;
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
