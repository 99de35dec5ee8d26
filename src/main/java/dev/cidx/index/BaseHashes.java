package dev.cidx.index;

import dev.cidx.config.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collection;

/**
 * Which hashes an HNSW base file holds, without loading the base: a sorted list of longs in a side file
 * written with the base and never changed afterwards ({@code vectors-T.hnsw} has {@code
 * vectors-T.hashes}). An incremental commit reads it (a few hundred kilobytes, about a millisecond) to
 * decide which live hashes need a place in the delta and how many of the base's entries are dead.
 *
 * <p>Why a side file: the base is a Java object stream that can only be read whole (the cost this
 * design avoids); Lucene knows only which hashes are live, not which the base holds (a dead hash stays in
 * the base until it is rebuilt, and may come back to life); and commit user data is a string map, no place
 * for fifty thousand longs. A side file written once with its base, by the same tmp, force and rename as
 * the base, can never disagree with it. A missing or unreadable one only costs a rebuild of the base,
 * which writes a new one: that is how an index from before deltas is converted.
 *
 * <p>Format, little-endian: the magic {@code CIDXHASH}, an int version (1), an int count, then {@code
 * count} ascending longs. Immutable.
 */
final class BaseHashes {
  private static final byte[] MAGIC = "CIDXHASH".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  private static final int HEADER_BYTES = MAGIC.length + 2 * Integer.BYTES;
  private static final String BASE_SUFFIX = ".hnsw";

  private final long[] sorted;

  private BaseHashes(long[] sorted) {
    this.sorted = sorted;
  }

  static BaseHashes of(Collection<Long> hashes) {
    long[] sorted = hashes.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
    return new BaseHashes(sorted);
  }

  /** The side file of base file {@code baseFile}: {@code vectors-T.hnsw} has {@code vectors-T.hashes}. */
  static String fileNameFor(String baseFile) {
    String stem = baseFile.endsWith(BASE_SUFFIX)
        ? baseFile.substring(0, baseFile.length() - BASE_SUFFIX.length())
        : baseFile;
    return stem + ".hashes";
  }

  static BaseHashes read(Path file) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    long size = buf.remaining();
    if (size < HEADER_BYTES) {
      throw damaged(file, "its size (" + size + " bytes) cannot hold a hash list");
    }
    byte[] magic = new byte[MAGIC.length];
    buf.get(magic);
    int version = buf.getInt();
    int count = buf.getInt();
    if (!Arrays.equals(magic, MAGIC) || version != VERSION || count < 0
        || size != HEADER_BYTES + (long) count * Long.BYTES) {
      throw damaged(file, "its header does not match its size (" + size + " bytes)");
    }
    long[] sorted = new long[count];
    buf.asLongBuffer().get(sorted);
    for (int i = 1; i < count; i++) {
      if (sorted[i - 1] >= sorted[i]) {
        throw damaged(file, "its hashes are not in ascending order");
      }
    }
    return new BaseHashes(sorted);
  }

  /** Writes the list to {@code file} and forces it to disk; the caller renames it into place. */
  void write(Path file) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + sorted.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).putInt(VERSION).putInt(sorted.length);
    buf.asLongBuffer().put(sorted);
    buf.position(buf.limit());
    buf.flip();
    try (FileChannel out = PrivateFiles.openForWrite(file)) {
      while (buf.hasRemaining()) {
        out.write(buf);
      }
      out.force(true);
    }
  }

  int size() {
    return sorted.length;
  }

  boolean contains(long hash) {
    return Arrays.binarySearch(sorted, hash) >= 0;
  }

  private static IOException damaged(Path file, String why) {
    return new IOException("unreadable base hash list " + file.getFileName() + ": " + why);
  }
}
