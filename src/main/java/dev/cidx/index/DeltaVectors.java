package dev.cidx.index;

import dev.cidx.config.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * The vectors a commit holds beyond its HNSW base: the live chunk hashes the base lacks. An incremental
 * commit rewrites only this small file, never the base; queries scan it exactly (it is at most a few
 * thousand vectors, or a tenth of the base) and merge the result with the graph's.
 *
 * <p>Format, little-endian: the magic {@code CIDXDELT}, an int version (1), an int dimension, an int
 * count, then {@code count} records of a long hash and {@code dimension} floats. Read in bulk through
 * one {@link FloatBuffer} view; the file size must match the header exactly, so a torn file is
 * reported rather than half read (the indexer renames it into place only once it is complete, so a
 * torn one means damage).
 *
 * <p>Immutable once built, so safe for any number of concurrent queries.
 */
public final class DeltaVectors {
  private static final byte[] MAGIC = "CIDXDELT".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  private static final int HEADER_BYTES = MAGIC.length + 3 * Integer.BYTES;

  private final int dimension;
  private final long[] hashes;
  /** Row-major: row {@code i} is {@code vectors[i * dimension .. (i + 1) * dimension)}, the vector of {@code hashes[i]}. */
  private final float[] vectors;
  private final Map<Long, Integer> rows;

  private DeltaVectors(int dimension, long[] hashes, float[] vectors) {
    this.dimension = dimension;
    this.hashes = hashes;
    this.vectors = vectors;
    this.rows = new HashMap<>(hashes.length * 2);
    for (int i = 0; i < hashes.length; i++) {
      if (rows.put(hashes[i], i) != null) {
        throw new IllegalArgumentException("hash " + Long.toHexString(hashes[i]) + " appears twice");
      }
    }
  }

  /** No vectors: what a commit without a delta file has. */
  public static DeltaVectors empty(int dimension) {
    checkDimension(dimension);
    return new DeltaVectors(dimension, new long[0], new float[0]);
  }

  /** The vectors of {@code hashes}, in that order, each fetched from {@code vectorOf}. */
  static DeltaVectors of(int dimension, List<Long> hashes, LongFunction<float[]> vectorOf) {
    checkDimension(dimension);
    long[] h = new long[hashes.size()];
    float[] v = new float[Math.multiplyExact(hashes.size(), dimension)];
    for (int i = 0; i < h.length; i++) {
      h[i] = hashes.get(i);
      float[] vector = vectorOf.apply(h[i]);
      if (vector.length != dimension) {
        throw new IllegalArgumentException("vector dimension (" + vector.length + ") must be " + dimension);
      }
      System.arraycopy(vector, 0, v, i * dimension, dimension);
    }
    return new DeltaVectors(dimension, h, v);
  }

  static DeltaVectors read(Path file) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    long size = buf.remaining();
    if (size < HEADER_BYTES) {
      throw damaged(file, "its size (" + size + " bytes) cannot hold a delta");
    }
    byte[] magic = new byte[MAGIC.length];
    buf.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw damaged(file, "it is not a delta file");
    }
    int version = buf.getInt();
    if (version != VERSION) {
      throw damaged(file, "its version (" + version + ") is not " + VERSION);
    }
    int dimension = buf.getInt();
    int count = buf.getInt();
    if (dimension <= 0 || count < 0) {
      throw damaged(file, "its header (dimension " + dimension + ", count " + count + ") is invalid");
    }
    long recordBytes = Long.BYTES + (long) dimension * Float.BYTES;
    if (size != HEADER_BYTES + count * recordBytes) {
      throw damaged(file, "its size (" + size + " bytes) does not match " + count + " vectors of dimension "
          + dimension);
    }
    long[] hashes = new long[count];
    float[] vectors = new float[count * dimension];
    // One float view of the whole file: every record's floats start on a multiple of four bytes, so each
    // record is one bulk get at a computed position instead of a view per record.
    FloatBuffer floats = buf.position(0).asFloatBuffer();
    for (int i = 0; i < count; i++) {
      int at = (int) (HEADER_BYTES + i * recordBytes);
      hashes[i] = buf.getLong(at);
      floats.position((at + Long.BYTES) / Float.BYTES).get(vectors, i * dimension, dimension);
    }
    try {
      return new DeltaVectors(dimension, hashes, vectors);
    } catch (IllegalArgumentException e) {
      throw damaged(file, e.getMessage());
    }
  }

  /** Writes the whole file to {@code file} and forces it to disk; the caller renames it into place. */
  void write(Path file) throws IOException {
    long bytes = HEADER_BYTES + (long) hashes.length * (Long.BYTES + (long) dimension * Float.BYTES);
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).putInt(VERSION).putInt(dimension).putInt(hashes.length);
    for (int i = 0; i < hashes.length; i++) {
      buf.putLong(hashes[i]);
      buf.asFloatBuffer().put(vectors, i * dimension, dimension);
      buf.position(buf.position() + dimension * Float.BYTES);
    }
    buf.flip();
    try (FileChannel out = PrivateFiles.openForWrite(file)) {
      while (buf.hasRemaining()) {
        out.write(buf);
      }
      out.force(true);
    }
  }

  public int dimension() {
    return dimension;
  }

  public int size() {
    return hashes.length;
  }

  /** The hash of row {@code row}, {@code 0 <= row < size()}. */
  public long hash(int row) {
    return hashes[row];
  }

  /** The row holding {@code hash}, or -1. */
  public int row(long hash) {
    Integer row = rows.get(hash);
    return row == null ? -1 : row;
  }

  public boolean contains(long hash) {
    return rows.containsKey(hash);
  }

  /** A copy of the vector of {@code hash}. */
  public Optional<float[]> vector(long hash) {
    int row = row(hash);
    if (row < 0) {
      return Optional.empty();
    }
    return Optional.of(Arrays.copyOfRange(vectors, row * dimension, (row + 1) * dimension));
  }

  /** Dot product of row {@code row} with {@code query}: their cosine similarity, as both are unit length. */
  public float similarity(int row, float[] query) {
    // Reads the shared array in place: an exact scan of the delta allocates nothing per row.
    if (query.length != dimension) {
      throw new IllegalArgumentException("query dimension (" + query.length + ") must be " + dimension);
    }
    return DotProduct.of(vectors, row * dimension, query);
  }

  private static void checkDimension(int dimension) {
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension (" + dimension + ") must be positive");
    }
  }

  private static IOException damaged(Path file, String why) {
    return new IOException("unreadable vector delta " + file.getFileName() + ": " + why);
  }
}
