package dev.cidx.embed;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Loads each model once per test JVM (about a second each) and keeps the native libraries in
 * {@code target/embed-test-cache} rather than the developer's {@code ~/.cache/cidx}. The embedders are
 * never closed: tests that close one open their own.
 */
public final class TestModels {
  static final Path CACHE_DIR = Path.of("target", "embed-test-cache").toAbsolutePath();

  static {
    if (System.getProperty(NativeLibraries.CACHE_DIR_PROPERTY) == null) {
      System.setProperty(NativeLibraries.CACHE_DIR_PROPERTY, CACHE_DIR.toString());
    }
  }

  private static final Map<EmbeddingModel, OnnxEmbedder> LOADED = new EnumMap<>(EmbeddingModel.class);

  private TestModels() {}

  public static synchronized OnnxEmbedder shared(EmbeddingModel model) {
    return LOADED.computeIfAbsent(model, OnnxEmbedder::open);
  }

  /** A fresh embedder the caller closes; still uses the test cache directory. */
  static OnnxEmbedder open(EmbeddingModel model) {
    return OnnxEmbedder.open(model);
  }
}
