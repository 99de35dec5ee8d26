package dev.cidx.embed;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.cidx.config.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.CRC32;

/**
 * A model as ONNX Runtime optimized it, kept in the user's cache so that later starts load it directly.
 *
 * <p>Creating a session from the model in its jar costs a cold start about 0.4 s more than loading the
 * optimized file: inflating 34 MB out of the jar (about 0.3 s) and optimizing the graph (about 0.13 s
 * more than loading the optimized graph with no optimization); see BENCHMARKS.md, "Cold start". The
 * first session made on a machine writes the file (ONNX Runtime's {@code optimized_model_filepath}),
 * later ones load it by path with {@link OptLevel#NO_OPT}, so the graph they run is the one the first
 * one ran, and the vectors are the same bit for bit (tested).
 *
 * <p>The optimized graph can hold layout transforms for this CPU, so the file's name carries, besides
 * the model's name, ONNX Runtime's version and the model entry's CRC, a hash of the CPU's model and
 * feature flags: a home directory shared between machines gets one file per kind of CPU. It lives
 * beside the native libraries ({@code <cache>/native/models}, private directories) because ONNX
 * Runtime parses it as it would the model from the jar; a file that fails to load is removed and the
 * model loaded from the jar again.
 */
final class OptimizedModelFile {
  private static final Logger LOG = Logger.getLogger(OptimizedModelFile.class.getName());

  private final EmbeddingModel model;
  private final Path cache;
  private final Path file; // null when the model's version cannot be told: then nothing is cached

  private OptimizedModelFile(EmbeddingModel model, Path cache, Path file) {
    this.model = model;
    this.cache = cache;
    this.file = file;
  }

  /** The optimized file for {@code model} under {@code cache} ({@link NativeLibraries#cacheDir()}). */
  static OptimizedModelFile in(Path cache, EmbeddingModel model) {
    String entryVersion = entryVersion(model);
    if (entryVersion == null) {
      return new OptimizedModelFile(model, cache, null);
    }
    String ort = OrtEnvironment.class.getPackage().getImplementationVersion();
    String name = model.modelName().replaceAll("[^A-Za-z0-9._-]", "_") + "-ort" + (ort == null ? "unversioned" : ort)
        + "-" + entryVersion + "-" + cpuSignature() + ".onnx";
    return new OptimizedModelFile(model, cache, cache.resolve("native").resolve("models").resolve(name));
  }

  Path file() {
    return file;
  }

  /**
   * A session for the model: from the optimized file when there is one, else from the jar (writing the
   * optimized file for next time). {@code options} carries everything but the optimization level.
   */
  OrtSession createSession(OrtEnvironment environment, OrtSession.SessionOptions options) throws OrtException {
    if (file != null && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      try {
        options.setOptimizationLevel(OptLevel.NO_OPT);
        return environment.createSession(file.toString(), options);
      } catch (OrtException e) {
        LOG.log(Level.WARNING, "optimized model " + file + " did not load (" + e.getMessage()
            + "); loading the model from its jar");
        deleteQuietly(file);
      }
    }
    byte[] onnx = readFromJar(model);
    options.setOptimizationLevel(OptLevel.ALL_OPT);
    Path tmp = temporaryFile();
    if (tmp != null) {
      options.setOptimizedModelFilePath(tmp.toString());
    }
    OrtSession session = environment.createSession(onnx, options);
    if (tmp != null) {
      keep(tmp);
    }
    return session;
  }

  /** A fresh name in a private directory, where nobody else can have put a link for ONNX Runtime to follow. */
  private Path temporaryFile() {
    if (file == null) {
      return null;
    }
    try {
      NativeLibraries.nativeDirectory(cache, file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
      Files.delete(tmp); // ONNX Runtime creates it; only the unique name was wanted
      return tmp;
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "no optimized model cache at " + file.getParent(), e);
      return null; // loading still works; the next start optimizes again
    }
  }

  private void keep(Path tmp) {
    try {
      if (!Files.isRegularFile(tmp, LinkOption.NOFOLLOW_LINKS)) {
        return; // ONNX Runtime wrote nothing
      }
      PrivateFiles.open(tmp, StandardOpenOption.WRITE).close(); // checks it and sets 0600
      PrivateFiles.replace(tmp, file);
      removeOtherVersions();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "could not keep the optimized model " + file, e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  /** Files of this model for another ONNX Runtime, model jar or CPU: each is 34 MB. */
  private void removeOtherVersions() throws IOException {
    String prefix = file.getFileName().toString().substring(0, model.modelName().length() + 1);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(file.getParent(), prefix + "ort*.onnx")) {
      for (Path entry : entries) {
        if (!entry.equals(file)) {
          deleteQuietly(entry);
        }
      }
    }
  }

  private static byte[] readFromJar(EmbeddingModel model) {
    try (InputStream in = OnnxEmbedder.class.getResourceAsStream(model.onnxResource())) {
      if (in == null) {
        throw new EmbeddingException("model " + model.onnxResource() + " for " + model.modelName()
            + " is not on the class path (is the langchain4j model jar missing?)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new EmbeddingException("cannot read model " + model.onnxResource() + ": " + e.getMessage(), e);
    }
  }

  /** The CRC and size of the model's jar entry (read from the jar's directory, not the 34 MB), or null. */
  private static String entryVersion(EmbeddingModel model) {
    URL url = OnnxEmbedder.class.getResource(model.onnxResource());
    if (url == null) {
      return null;
    }
    try {
      URLConnection connection = url.openConnection();
      if (connection instanceof JarURLConnection) {
        java.util.jar.JarEntry entry = ((JarURLConnection) connection).getJarEntry();
        if (entry != null && entry.getCrc() >= 0) {
          return Long.toHexString(entry.getCrc()) + "-" + entry.getSize();
        }
      }
      return null; // a model outside a jar (a development class path) is not cached
    } catch (IOException e) {
      return null;
    }
  }

  /** A hash of the CPU's model name and feature flags (Linux), else of the OS and architecture. */
  static String cpuSignature() {
    StringBuilder identity = new StringBuilder(System.getProperty("os.name", "") + "/" + System.getProperty("os.arch", ""));
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.ISO_8859_1)) {
        String key = line.split(":", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (key.equals("model name") || key.equals("flags") || key.equals("features") || key.equals("cpu part")) {
          identity.append('\n').append(line.trim());
        }
        if (line.isBlank() && identity.indexOf("\n") >= 0) {
          break; // the first processor is enough
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: the OS and architecture will do
    }
    CRC32 crc = new CRC32();
    crc.update(identity.toString().getBytes(StandardCharsets.UTF_8));
    return String.format(Locale.ROOT, "%08x", crc.getValue());
  }

  private static void deleteQuietly(Path path) {
    try {
      PrivateFiles.deleteIfExists(path);
    } catch (IOException e) {
      // a leftover file is harmless: it is replaced or ignored
    }
  }
}
