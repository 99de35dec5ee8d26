package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorFileInputTest {
  /** Set by {@link Payload#readObject}: proof that a crafted file's code ran. */
  static final AtomicBoolean PAYLOAD_RAN = new AtomicBoolean();

  @TempDir Path dir;

  /** A class a gadget chain would use: it runs code as it is deserialized. */
  static final class Payload implements Serializable {
    private static final long serialVersionUID = 1L;

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      PAYLOAD_RAN.set(true);
    }
  }

  private static Path realIndex(Path dir, int vectors, int dimension) throws IOException {
    Random r = new Random(7);
    VectorStore store = VectorStore.create(dimension, vectors);
    for (long i = 0; i < vectors; i++) {
      float[] v = new float[dimension];
      for (int d = 0; d < dimension; d++) {
        v[d] = (float) r.nextGaussian();
      }
      store.add(i * 31 + 5, v);
    }
    store.remove(5L);
    Path file = dir.resolve("vectors-1.hnsw");
    store.save(file);
    return file;
  }

  @Test
  void allowList_isExactlyWhatARealIndexContains_withinTheLimits() throws Exception {
    Path file = realIndex(dir, 500, 384);
    Set<String> classes = new TreeSet<>();
    AtomicLong maxDepth = new AtomicLong();
    AtomicLong maxRefs = new AtomicLong();
    AtomicLong maxArray = new AtomicLong();
    ObjectInputFilter logging = info -> {
      if (info.serialClass() != null) {
        classes.add(info.serialClass().getName());
      }
      maxDepth.accumulateAndGet(info.depth(), Math::max);
      maxRefs.accumulateAndGet(info.references(), Math::max);
      maxArray.accumulateAndGet(info.arrayLength(), Math::max);
      return ObjectInputFilter.Status.ALLOWED;
    };
    try (InputStream in = Files.newInputStream(file);
         ObjectInputStream ois = new ObjectInputStream(in) {
           @Override
           protected Class<?> resolveClass(java.io.ObjectStreamClass desc) throws IOException, ClassNotFoundException {
             return Class.forName(desc.getName(), false, VectorStore.class.getClassLoader());
           }
         }) {
      ois.setObjectInputFilter(logging);
      ois.readObject();
    }

    assertThat(VectorFileInput.ALLOWED_CLASSES).containsAll(classes);
    assertThat(maxDepth.get()).isLessThanOrEqualTo(VectorFileInput.MAX_DEPTH);
    assertThat(maxRefs.get()).isLessThanOrEqualTo(VectorFileInput.MAX_REFERENCES);
    assertThat(maxArray.get()).isLessThanOrEqualTo(VectorFileInput.MAX_ARRAY_LENGTH);
    System.out.println("a real vector file holds " + classes + ", depth " + maxDepth + ", references " + maxRefs
        + ", longest array " + maxArray);
  }

  @Test
  void realIndex_loadsThroughTheFilter() throws Exception {
    Path file = realIndex(dir, 100, 384);
    VectorStore store = VectorStore.load(file);
    assertThat(store.size()).isEqualTo(99);
    assertThat(store.dimension()).isEqualTo(384);
  }

  @Test
  void serializedGadget_isRejectedAsDamaged_andNeverRuns() throws Exception {
    Map<String, Object> gadget = new HashMap<>();
    gadget.put("x", new Payload());
    Path file = write(dir.resolve("vectors-2.hnsw"), gadget);

    assertThatThrownBy(() -> VectorStore.load(file))
        .isInstanceOf(IndexDamagedException.class)
        .hasMessageStartingWith("the index is damaged: its vector file vectors-2.hnsw is unreadable (")
        .hasMessageEndingWith("); run `cidx index --clear` to rebuild it");
    assertThat(PAYLOAD_RAN).isFalse();
  }

  @Test
  void payloadClassAlone_isRejectedBeforeItsReadObjectRuns() throws Exception {
    Path file = write(dir.resolve("vectors-3.hnsw"), new Payload());
    assertThatThrownBy(() -> VectorStore.load(file)).isInstanceOf(IndexDamagedException.class);
    assertThat(PAYLOAD_RAN).isFalse();
  }

  @Test
  void hugeArrayHeader_isRejectedWithoutAllocatingIt() throws Exception {
    // A serialized long[] whose header claims 2^31-1 elements, followed by nothing.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new long[1]);
    }
    byte[] data = bytes.toByteArray();
    // the length is the 4 bytes before the single 8-byte element at the end
    int at = data.length - 8 - 4;
    data[at] = 0x7f;
    data[at + 1] = (byte) 0xff;
    data[at + 2] = (byte) 0xff;
    data[at + 3] = (byte) 0xff;
    Path file = Files.write(dir.resolve("vectors-4.hnsw"), data);

    assertThatThrownBy(() -> VectorStore.load(file)).isInstanceOf(IndexDamagedException.class)
        .hasMessageContaining("REJECTED");
  }

  @Test
  void hugeVectorLength_isRejectedAsDamaged() throws Exception {
    Path file = realIndex(dir, 3, 4);
    byte[] data = Files.readAllBytes(file);
    // each vector is written as its id (8 bytes), then its length (4 bytes): find id 36's and make it huge
    byte[] id36AndLength = {0, 0, 0, 0, 0, 0, 0, 36, 0, 0, 0, 4};
    int at = indexOf(data, id36AndLength, 0) + 8;
    data[at] = 0x7f;
    Files.write(file, data);
    assertThatThrownBy(() -> VectorStore.load(file)).isInstanceOf(IndexDamagedException.class);
  }

  @Test
  void notAnIndexAtAll_isDamaged() throws Exception {
    Path file = Files.writeString(dir.resolve("vectors-5.hnsw"), "hello");
    assertThatThrownBy(() -> VectorStore.load(file)).isInstanceOf(IndexDamagedException.class);
  }

  private static int indexOf(byte[] data, byte[] needle, int from) {
    for (int i = from; i <= data.length - needle.length; i++) {
      boolean match = true;
      for (int j = 0; j < needle.length && match; j++) {
        match = data[i + j] == needle[j];
      }
      if (match) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  private static Path write(Path file, Object object) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(object);
    }
    return Files.write(file, bytes.toByteArray());
  }
}
