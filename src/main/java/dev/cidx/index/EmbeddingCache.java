package dev.cidx.index;

import dev.cidx.config.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every embedding ever computed for this repository, keyed by chunk content hash, in an append-only
 * file. It is what makes indexing resumable and incremental: a run interrupted by Ctrl+C or SIGKILL
 * keeps the batches it flushed, and a rename, a moved block or a branch switched back and forth finds its
 * vectors here instead of running the model again.
 *
 * <p>Format: a header ({@code CIDXEMB1}, the model name, the dimension), then fixed-size records of a
 * long hash and {@code dimension} little-endian floats. A torn last record (a kill mid-write) is
 * ignored and overwritten by the next append. A cache written by another model is discarded.
 *
 * <p>Keyed by model as well as by hash: a cache holds one model's vectors, and every read and write names
 * the model it means, so a vector of one model is never served for another, nor stored as another's,
 * even where two models share a dimension (a model changed in config.json while a run embedded).
 *
 * <p>Not thread-safe: the one indexer that owns it appends from one thread.
 */
final class EmbeddingCache implements AutoCloseable {
  private static final byte[] MAGIC = "CIDXEMB1".getBytes(StandardCharsets.US_ASCII);

  private final Path file;
  private final String model;
  private final int dimension;
  private final int recordBytes;
  private final long headerBytes;
  /** Insertion-ordered so compaction can keep the most recently added dead entries. */
  private final LinkedHashMap<Long, float[]> vectors = new LinkedHashMap<>();
  private FileChannel channel;

  private EmbeddingCache(Path file, String model, int dimension) {
    this.file = file;
    this.model = model;
    this.dimension = dimension;
    this.recordBytes = Long.BYTES + dimension * Float.BYTES;
    this.headerBytes = header(model, dimension).remaining();
  }

  /** Opens (or starts) the cache for {@code model}; a cache of another model or a damaged header is reset. */
  static EmbeddingCache open(Path file, String model, int dimension) throws IOException {
    EmbeddingCache cache = new EmbeddingCache(file, model, dimension);
    cache.load();
    return cache;
  }

  private void load() throws IOException {
    ByteBuffer expected = header(model, dimension);
    boolean valid = false;
    if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) >= headerBytes) {
      try (FileChannel in = PrivateFiles.open(file, StandardOpenOption.READ)) {
        ByteBuffer actual = ByteBuffer.allocate((int) headerBytes);
        readFully(in, actual, 0);
        actual.flip();
        valid = actual.equals(expected);
        if (valid) {
          long records = (in.size() - headerBytes) / recordBytes;
          ByteBuffer block = ByteBuffer.allocate(recordBytes * 1024).order(ByteOrder.LITTLE_ENDIAN);
          long position = headerBytes;
          long remaining = records;
          while (remaining > 0) {
            int n = (int) Math.min(remaining, 1024);
            block.clear().limit(n * recordBytes);
            readFully(in, block, position);
            block.flip();
            for (int i = 0; i < n; i++) {
              long hash = block.getLong();
              float[] v = new float[dimension];
              block.asFloatBuffer().get(v);
              block.position(block.position() + dimension * Float.BYTES);
              vectors.put(hash, v);
            }
            position += (long) n * recordBytes;
            remaining -= n;
          }
        }
      }
    }
    PrivateFiles.directory(file.getParent());
    channel = PrivateFiles.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    if (!valid) {
      vectors.clear();
      channel.truncate(0);
      writeFully(channel, header(model, dimension), 0);
    }
    // Drop a torn tail so the next append starts on a record boundary.
    channel.truncate(headerBytes + (long) vectors.size() * recordBytes);
    channel.position(channel.size());
  }

  int size() {
    return vectors.size();
  }

  /** The model whose vectors this cache holds. */
  String model() {
    return model;
  }

  /** The vector {@code model} made for {@code hash}, or null: always null for another model than the cache's. */
  float[] get(String model, long hash) {
    return this.model.equals(model) ? vectors.get(hash) : null;
  }

  boolean contains(String model, long hash) {
    return this.model.equals(model) && vectors.containsKey(hash);
  }

  /**
   * Appends a batch of vectors {@code madeBy} made and forces it to disk, so a kill after this call loses
   * none of it.
   *
   * @throws IllegalArgumentException {@code madeBy} is not the cache's model: nothing is written
   */
  void putAll(String madeBy, Map<Long, float[]> batch) throws IOException {
    if (!model.equals(madeBy)) {
      throw new IllegalArgumentException("vectors of model " + madeBy + " cannot be cached as " + model + "'s");
    }
    ByteBuffer buf = ByteBuffer.allocate(recordBytes * batch.size()).order(ByteOrder.LITTLE_ENDIAN);
    int added = 0;
    for (Map.Entry<Long, float[]> e : batch.entrySet()) {
      if (vectors.containsKey(e.getKey())) {
        continue;
      }
      float[] v = e.getValue();
      if (v.length != dimension) {
        throw new IllegalArgumentException("vector dimension (" + v.length + ") must be " + dimension);
      }
      buf.putLong(e.getKey());
      for (float f : v) {
        buf.putFloat(f);
      }
      vectors.put(e.getKey(), v);
      added++;
    }
    if (added == 0) {
      return;
    }
    buf.flip();
    writeFully(channel, buf, channel.size());
    channel.force(false);
  }

  /**
   * Rewrites the file when dead entries outnumber live ones, keeping every live entry and the most
   * recently added dead ones up to half the live count (a branch switched back still finds them).
   */
  void compact(Set<Long> live) throws IOException {
    if (vectors.size() <= 2L * live.size() + 1000) {
      return;
    }
    int deadBudget = live.size() / 2;
    Map<Long, float[]> kept = new LinkedHashMap<>();
    Object[] keys = vectors.keySet().toArray();
    for (int i = keys.length - 1; i >= 0; i--) {
      Long hash = (Long) keys[i];
      if (live.contains(hash)) {
        kept.put(hash, vectors.get(hash));
      } else if (deadBudget > 0) {
        kept.put(hash, vectors.get(hash));
        deadBudget--;
      }
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    boolean written = false;
    try (FileChannel out = PrivateFiles.openForWrite(tmp)) {
      writeFully(out, header(model, dimension), 0);
      ByteBuffer buf = ByteBuffer.allocate(recordBytes).order(ByteOrder.LITTLE_ENDIAN);
      for (Map.Entry<Long, float[]> e : kept.entrySet()) {
        buf.clear();
        buf.putLong(e.getKey());
        for (float f : e.getValue()) {
          buf.putFloat(f);
        }
        buf.flip();
        writeFully(out, buf, out.size());
      }
      out.force(true);
      written = true;
    } finally {
      if (!written) {
        Files.deleteIfExists(tmp); // a full disk: give back what the half copy took; the file is unchanged
      }
    }
    channel.close();
    PrivateFiles.replace(tmp, file);
    vectors.clear();
    vectors.putAll(kept);
    channel = PrivateFiles.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
    channel.position(channel.size());
  }

  Collection<Long> hashes() {
    return vectors.keySet();
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  private static ByteBuffer header(String model, int dimension) {
    byte[] name = model.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(MAGIC.length + Integer.BYTES + name.length + Integer.BYTES);
    b.put(MAGIC).putInt(name.length).put(name).putInt(dimension).flip();
    return b;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
      pos += n;
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      pos += ch.write(buf, pos);
    }
  }
}
