package dev.cidx.index;

import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.util.Set;

/**
 * Reads a vector file ({@code vectors-N.hnsw}), which hnswlib writes with Java serialization, without
 * letting the file choose what runs. A repository can be cloned with any {@code .code-indexer/index} in
 * it, and {@code ObjectInputStream} instantiates whatever classes a stream names: a crafted file could run
 * a gadget chain from the class path, or declare an array of two billion elements. So the stream gets an
 * {@link ObjectInputFilter} that admits only what hnswlib's graph really contains (found by loading real
 * indexes with a logging filter: {@code VectorFileInputTest}), with limits on depth, references and array
 * length. Anything else fails at once as a damaged index, before any constructor or {@code readObject} of
 * a foreign class has run.
 *
 * <p>The filter sees classes and serialized arrays only; hnswlib reads node counts and lists as raw
 * {@code readInt}s and allocates what they say. Vector lengths are checked by {@code VectorStore}'s own
 * serializer ({@link #MAX_DIMENSION}); an impossible count in hnswlib's part fails its one allocation with
 * an {@link OutOfMemoryError}, caught here and reported as damage (nothing else was allocated by it).
 */
final class VectorFileInput {
  /** Classes a cidx vector file holds: the graph, its distance and comparator, cidx's two serializers. */
  static final Set<String> ALLOWED_CLASSES = Set.of(
      "com.github.jelmerk.hnswlib.core.hnsw.HnswIndex",
      "com.github.jelmerk.hnswlib.core.DistanceFunctions$FloatInnerProduct", // files written before DotProduct
      "dev.cidx.index.DotProduct$UnitVectorDistance",
      "java.util.Comparators$NaturalOrderComparator",
      "java.lang.Enum",
      "dev.cidx.index.VectorStore$IdSerializer",
      "dev.cidx.index.VectorStore$VectorSerializer");
  /** A real file nests three levels (index, its fields, an enum's name); room to spare, not for a gadget chain. */
  static final long MAX_DEPTH = 5;
  /** A real file holds 10 references however many vectors it has: nodes are written as raw ints and floats. */
  static final long MAX_REFERENCES = 64;
  /** A real file has no serialized arrays at all; this bounds what a crafted header can ask for. */
  static final long MAX_ARRAY_LENGTH = 64;
  /** The widest embedding cidx reads; models in use have 384 or 768 dimensions. */
  static final int MAX_DIMENSION = 8192;

  static final ObjectInputFilter FILTER = VectorFileInput::check;

  private VectorFileInput() {}

  /** The graph in {@code in}, or {@link IndexDamagedException} naming {@code name} if it is not a cidx vector file. */
  @SuppressWarnings("unchecked")
  static <T> T read(InputStream in, ClassLoader loader, String name) throws IOException {
    try (ObjectInputStream ois = new LoaderObjectInputStream(in, loader)) {
      ois.setObjectInputFilter(FILTER);
      Object graph = ois.readObject();
      if (!(graph instanceof HnswIndex)) {
        throw new InvalidClassException(graph == null ? "null" : graph.getClass().getName(), "not an HNSW index");
      }
      return (T) graph;
    } catch (IOException | ClassNotFoundException | RuntimeException e) {
      throw damaged(name, e.getMessage(), e);
    } catch (OutOfMemoryError e) {
      throw damaged(name, "it declares more entries than memory holds", e);
    }
  }

  private static IndexDamagedException damaged(String name, String why, Throwable cause) {
    return new IndexDamagedException("the index is damaged: its vector file " + name + " is unreadable (" + why
        + "); run `cidx index --clear` to rebuild it", cause);
  }

  static ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info) {
    if (info.depth() > MAX_DEPTH || info.references() > MAX_REFERENCES || info.arrayLength() > MAX_ARRAY_LENGTH) {
      return ObjectInputFilter.Status.REJECTED;
    }
    Class<?> type = info.serialClass();
    if (type == null) {
      return ObjectInputFilter.Status.UNDECIDED; // a limits-only callback, checked above
    }
    while (type.isArray()) {
      type = type.getComponentType();
    }
    if (type.isPrimitive() || ALLOWED_CLASSES.contains(type.getName())) {
      return ObjectInputFilter.Status.ALLOWED;
    }
    return ObjectInputFilter.Status.REJECTED;
  }

  /** hnswlib's loader-aware stream, so cidx's serializers resolve through the caller's class loader. */
  private static final class LoaderObjectInputStream extends ObjectInputStream {
    private final ClassLoader loader;

    LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
      super(in);
      this.loader = loader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
      try {
        return Class.forName(desc.getName(), false, loader);
      } catch (ClassNotFoundException e) {
        return super.resolveClass(desc);
      }
    }
  }
}
