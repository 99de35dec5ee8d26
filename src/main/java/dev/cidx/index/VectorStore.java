package dev.cidx.index;

import dev.cidx.config.PrivateFiles;
import com.github.jelmerk.hnswlib.core.Item;
import com.github.jelmerk.hnswlib.core.ObjectSerializer;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.SizeLimitExceededException;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongFunction;

/**
 * The semantic index: an HNSW graph (hnswlib) of chunk embeddings keyed by {@link Chunk#contentHash()}.
 * Content-addressed, so a chunk that appears twice, or moves to another file, has one vector.
 *
 * <p>Vectors are unit length, so the graph uses inner-product distance (1 - dot): the same ranking as
 * cosine without recomputing two norms on every comparison. Parameters: M=16, efConstruction=200. The
 * graph's own ef stays small; {@link #nearest} asks for {@code max(ef, k)} candidates instead, so each
 * query picks its accuracy without mutating shared state.
 *
 * <p>Thread-safety: {@link #nearest} and {@link #vector} may run concurrently with each other; adds
 * and removes are for the indexer, which owns its store exclusively until it saves it, and adds from
 * several threads only through {@link #addAll}.
 */
public final class VectorStore {
  static final int M = 16;
  /** Slots every graph starts with, however few vectors it is made for. */
  static final int MIN_CAPACITY = 16;
  /** 100 would halve the build but loses 0.6 points of recall@10 on java.base (BENCHMARKS.md, issue 9 §3). */
  static final int EF_CONSTRUCTION = 200;
  private static final int GRAPH_EF = 10;

  private final HnswIndex<Long, float[], Vector, Float> graph;

  private VectorStore(HnswIndex<Long, float[], Vector, Float> graph) {
    this.graph = graph;
  }

  public static VectorStore create(int dimension, int capacity) {
    HnswIndex<Long, float[], Vector, Float> graph = HnswIndex
        .newBuilder(dimension, new DotProduct.UnitVectorDistance(), Math.max(capacity, MIN_CAPACITY))
        .withM(M)
        .withEfConstruction(EF_CONSTRUCTION)
        .withEf(GRAPH_EF)
        .withRemoveEnabled()
        .withCustomSerializers(new IdSerializer(), new VectorSerializer())
        .build();
    return new VectorStore(graph);
  }

  public static VectorStore load(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return load(channel, file.getFileName().toString());
    }
  }

  /**
   * Reads the whole graph from an open file, from its start; the caller closes {@code channel}. A reader
   * that opened the file earlier can still load it after a newer commit has deleted its name.
   */
  static VectorStore load(FileChannel channel, String name) throws IOException {
    // hnswlib closes the stream it reads; the channel belongs to the caller, so closing stops here.
    InputStream in = new FilterInputStream(
        new BufferedInputStream(Channels.newInputStream(channel.position(0)), 1 << 16)) {
      @Override
      public void close() {}
    };
    try {
      HnswIndex<Long, float[], Vector, Float> graph = VectorFileInput.read(in, VectorStore.class.getClassLoader(), name);
      return new VectorStore(graph);
    } catch (RuntimeException e) {
      throw new IOException("unreadable vector file " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes to {@code file} and forces it to disk; the caller renames it into place and records it in a
   * commit. Forced because Lucene's commit is: without it, a power cut could keep a commit that names a
   * vector file whose contents never reached the disk.
   */
  public void save(Path file) throws IOException {
    try (FileChannel channel = PrivateFiles.openForWrite(file)) {
      // hnswlib closes the stream it is given; the channel must stay open until it is forced.
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16) {
        @Override
        public void close() throws IOException {
          flush();
        }
      };
      graph.save(out);
      out.flush();
      channel.force(true);
    }
  }

  public int dimension() {
    return graph.getDimensions();
  }

  public int size() {
    return graph.size();
  }

  /**
   * Graph slots that hold no live vector: removed vectors, whose nodes hnswlib keeps (marked deleted) and
   * every search still walks, plus room not yet used (the {@link #MIN_CAPACITY} a graph starts with, and
   * what {@link #add} doubled). {@link #addAll} grows the graph by exactly what it adds, so beyond that
   * room this counts the removed vectors the graph carries.
   */
  public int deadSlots() {
    return graph.getMaxItemCount() - graph.size();
  }

  public boolean contains(long hash) {
    return graph.contains(hash);
  }

  public Optional<float[]> vector(long hash) {
    return graph.get(hash).map(Vector::vector);
  }

  public List<Long> hashes() {
    List<Long> ids = new ArrayList<>(graph.size());
    for (Vector v : graph.items()) {
      ids.add(v.id());
    }
    return ids;
  }

  /**
   * Adds many vectors using every core; graph insertion dominates a large commit.
   *
   * <p>Two hnswlib constraints shape this: resizing is not safe against concurrent adds (it swaps the
   * pool of visited-sets under them: "Queue full"), so room is made first; and that pool holds one set
   * per available processor, so more adding threads than processors can deadlock (a thread holding a
   * node's lock waits for a set held by a thread waiting for that lock).
   */
  public void addAll(List<Long> hashes, LongFunction<float[]> vectors) throws IOException {
    // Removed items keep their slots, so only the whole capacity plus the new items is sure to fit.
    graph.resize(graph.getMaxItemCount() + hashes.size());
    int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), hashes.size() / 256));
    if (threads == 1) {
      for (Long h : hashes) {
        add(h, vectors.apply(h));
      }
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int part = t;
        parts.add(pool.submit(() -> {
          for (int i = part; i < hashes.size(); i += threads) {
            long h = hashes.get(i);
            add(h, vectors.apply(h));
          }
        }));
      }
      for (Future<?> f : parts) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while building the vector index", e);
    } catch (ExecutionException e) {
      throw new IOException("building the vector index failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Adds (or replaces) one vector, growing the graph as needed; not for concurrent use (see addAll). */
  public void add(long hash, float[] vector) {
    if (vector.length != graph.getDimensions()) {
      throw new IllegalArgumentException(
          "vector dimension (" + vector.length + ") must be " + graph.getDimensions());
    }
    Vector item = new Vector(hash, vector);
    while (true) {
      int capacity = graph.getMaxItemCount();
      try {
        graph.add(item);
        return;
      } catch (SizeLimitExceededException e) {
        // Removed items keep their slots, so size() alone cannot tell when the graph is full.
        synchronized (graph) {
          if (graph.getMaxItemCount() == capacity) {
            graph.resize(capacity * 2);
          }
        }
      }
    }
  }

  /**
   * Removes a vector. hnswlib refuses to add an id again whose removal carries a higher version than the
   * item's, silently; removing at version 0 (every item's version) lets a hash that comes back (a file
   * reverted) be added again. Graphs saved before this removed at {@code Long.MAX_VALUE}, so such an id
   * stays out after {@link #add}; {@link #contains} tells.
   */
  public void remove(long hash) {
    graph.remove(hash, 0);
  }

  /** The {@code k} nearest vectors, best first, exploring at least {@code ef} candidates. */
  public List<Neighbor> nearest(float[] query, int k, int ef) {
    List<SearchResult<Vector, Float>> found = graph.findNearest(query, Math.max(k, ef));
    List<Neighbor> out = new ArrayList<>(Math.min(k, found.size()));
    for (SearchResult<Vector, Float> r : found) {
      if (out.size() == k) {
        break;
      }
      out.add(new Neighbor(r.item().id(), 1f - r.distance()));
    }
    return out;
  }

  /** Dot product of unit vectors: their cosine similarity. */
  public static float similarity(float[] a, float[] b) {
    return DotProduct.of(a, b);
  }

  /** A found vector and its cosine similarity to the query. */
  public record Neighbor(long hash, float similarity) {}

  /** hnswlib's item: the content hash and its vector. */
  static final class Vector implements Item<Long, float[]> {
    private static final long serialVersionUID = 1L;
    private final long id;
    private final float[] vector;

    Vector(long id, float[] vector) {
      this.id = id;
      this.vector = vector;
    }

    @Override
    public Long id() {
      return id;
    }

    @Override
    public float[] vector() {
      return vector;
    }

    @Override
    public int dimensions() {
      return vector.length;
    }
  }

  private static final class IdSerializer implements ObjectSerializer<Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(Long id, ObjectOutput out) throws IOException {
      out.writeLong(id);
    }

    @Override
    public Long read(ObjectInput in) throws IOException {
      return in.readLong();
    }
  }

  /** Raw little-endian floats in one block: much faster to load than Java serialization of float[]. */
  private static final class VectorSerializer implements ObjectSerializer<Vector> {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(Vector item, ObjectOutput out) throws IOException {
      out.writeLong(item.id);
      out.writeInt(item.vector.length);
      ByteBuffer buf = ByteBuffer.allocate(item.vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      buf.asFloatBuffer().put(item.vector);
      out.write(buf.array());
    }

    @Override
    public Vector read(ObjectInput in) throws IOException {
      long id = in.readLong();
      int length = in.readInt();
      if (length < 0 || length > VectorFileInput.MAX_DIMENSION) {
        throw new IOException("a vector of " + length + " dimensions (at most " + VectorFileInput.MAX_DIMENSION + ")");
      }
      byte[] bytes = new byte[length * Float.BYTES];
      in.readFully(bytes);
      float[] vector = new float[length];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
      return new Vector(id, vector);
    }
  }
}
