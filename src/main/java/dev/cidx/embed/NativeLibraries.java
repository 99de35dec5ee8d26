package dev.cidx.embed;

import dev.cidx.config.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Points ONNX Runtime and the DJL tokenizer at a per-user cache before either loads its native code.
 *
 * <p>Left alone, ONNX Runtime copies its two shared libraries (about 17 MB) out of its jar into a fresh
 * temporary directory on every start, and DJL unpacks its tokenizer library under {@code ~/.djl.ai}.
 * Instead the ONNX Runtime libraries are extracted once into
 * {@code <cache>/native/onnxruntime-<version>/<os>-<arch>/} and {@code onnxruntime.native.path} names
 * that directory; DJL gets {@code DJL_CACHE_DIR=<cache>/djl} and {@code ai.djl.offline=true}, so it
 * unpacks there once and never reaches for the network. {@code <cache>} is {@link #CACHE_DIR_PROPERTY}
 * if set, else {@code $XDG_CACHE_HOME/cidx}, else {@code ~/.cache/cidx}.
 *
 * <p>Extraction is safe against a second process doing the same at the same moment: each library is
 * written to a uniquely named file beside its final name and then renamed over it, so a reader sees
 * either no file or a complete one, and two racing writers both leave a complete file. A file whose
 * size differs from the jar's entry (say, a disk that filled up mid-copy before the rename existed) is
 * replaced.
 *
 * <p>A property that is already set (by the user or an earlier caller) is left alone. ONNX Runtime
 * still creates and at once deletes an empty {@code onnxruntime-java*} directory under
 * {@code java.io.tmpdir} while it loads; nothing is left behind.
 *
 * <p>Public for {@link #privateNativeDirectory} and {@link #extractOnce}, which the index's tree-sitter
 * grammars use the same way.
 */
public final class NativeLibraries {
  /** System property naming cidx's cache directory; overrides {@code $XDG_CACHE_HOME/cidx}. */
  static final String CACHE_DIR_PROPERTY = "cidx.cache.dir";

  static final String ORT_NATIVE_PATH_PROPERTY = "onnxruntime.native.path";
  static final String DJL_CACHE_DIR_PROPERTY = "DJL_CACHE_DIR";
  static final String DJL_OFFLINE_PROPERTY = "ai.djl.offline";
  static final String JNA_BOOT_PATH_PROPERTY = "jna.boot.library.path";

  /**
   * Held so the levels stick: java.util.logging keeps loggers weakly, and a collected logger forgets
   * its level. DJL logs through SLF4J, which slf4j-jdk14 routes here; at INFO it would print its
   * extraction and engine messages to the console of every cidx command.
   */
  private static final List<Logger> QUIETED = List.of(
      Logger.getLogger("ai.djl"), Logger.getLogger("ai.onnxruntime"), Logger.getLogger("ai.djl.util.cuda"));

  /** Guarded by the class lock. */
  private static boolean prepared;

  private NativeLibraries() {}

  /** Sets the properties and extracts ONNX Runtime if needed; later calls do nothing. */
  public static synchronized void prepare() {
    if (prepared) {
      return;
    }
    for (Logger logger : QUIETED) {
      if (logger.getLevel() == null) {
        // DJL probes for CUDA while it picks a tokenizer build and warns when a driver is present but
        // unusable; cidx tokenizes on the CPU, so that warning says nothing about cidx.
        logger.setLevel(logger.getName().equals("ai.djl.util.cuda") ? Level.OFF : Level.WARNING);
      }
    }
    Path cache = cacheDir();
    if (System.getProperty(ORT_NATIVE_PATH_PROPERTY) == null) {
      System.setProperty(ORT_NATIVE_PATH_PROPERTY, extractOnnxRuntime(cache).toString());
    }
    if (System.getProperty(JNA_BOOT_PATH_PROPERTY) == null) {
      prepareJna(cache);
    }
    if (System.getenv(DJL_CACHE_DIR_PROPERTY) == null && System.getProperty(DJL_CACHE_DIR_PROPERTY) == null) {
      System.setProperty(DJL_CACHE_DIR_PROPERTY, cache.resolve("djl").toString());
    }
    if (System.getProperty(DJL_OFFLINE_PROPERTY) == null) {
      System.setProperty(DJL_OFFLINE_PROPERTY, "true");
    }
    prepared = true;
  }

  /**
   * DJL's CUDA probe loads JNA, which otherwise copies its dispatch library into
   * {@code ~/.cache/JNA/temp} on every start. JNA checks that library's version against its jar, so the
   * directory is named by the jar's version, and JNA is left alone when that is unknown.
   */
  private static void prepareJna(Path cache) {
    Class<?> nativeClass;
    try {
      nativeClass = Class.forName("com.sun.jna.Native", false, NativeLibraries.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return; // no JNA on the class path, nothing will extract it
    }
    String version = nativeClass.getPackage().getImplementationVersion();
    String prefix = jnaPlatform();
    String fileName = System.mapLibraryName("jnidispatch").replace(".dylib", ".jnilib");
    URL url = nativeClass.getResource("/com/sun/jna/" + prefix + "/" + fileName);
    if (version == null || url == null) {
      return;
    }
    Path dir = cache.resolve("native").resolve("jna-" + version.split(" ")[0]).resolve(prefix);
    try {
      nativeDirectory(cache, dir);
      extractOnce(url, dir.resolve(fileName));
    } catch (IOException e) {
      return; // JNA falls back to its own temporary copy
    }
    System.setProperty(JNA_BOOT_PATH_PROPERTY, dir.toString());
  }

  private static String jnaPlatform() {
    String platform = onnxRuntimePlatform(); // linux-x64, osx-aarch64, win-x64, ...
    return platform.replace("osx-", "darwin-").replace("win-", "win32-").replace("-x64", "-x86-64");
  }

  /** {@code cidx.cache.dir}, else {@code $XDG_CACHE_HOME/cidx}, else {@code ~/.cache/cidx}. */
  static Path cacheDir() {
    String override = System.getProperty(CACHE_DIR_PROPERTY);
    if (override != null && !override.isBlank()) {
      return Path.of(override).toAbsolutePath();
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    // The XDG spec says a relative value is invalid and must be ignored.
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "cidx");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "cidx");
  }

  static Path onnxRuntimeDir(Path cache) {
    String version = ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion();
    return cache.resolve("native")
        .resolve("onnxruntime-" + (version == null ? "unversioned" : version))
        .resolve(onnxRuntimePlatform());
  }

  /** The directory name ONNX Runtime's jar uses under {@code /ai/onnxruntime/native/}. */
  private static String onnxRuntimePlatform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String osPart = os.contains("mac") || os.contains("darwin") ? "osx" : os.contains("win") ? "win" : "linux";
    String archPart = arch.equals("amd64") || arch.equals("x86_64") ? "x64"
        : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
    return osPart + "-" + archPart;
  }

  /** Extracts ONNX Runtime's libraries under {@code cache} unless already there; returns their directory. */
  static Path extractOnnxRuntime(Path cache) {
    Path dir = onnxRuntimeDir(cache);
    String platform = dir.getFileName().toString();
    try {
      nativeDirectory(cache, dir);
      for (String library : List.of("onnxruntime", "onnxruntime4j_jni")) {
        String fileName = System.mapLibraryName(library).replace(".jnilib", ".dylib");
        String resource = "/ai/onnxruntime/native/" + platform + "/" + fileName;
        URL url = NativeLibraries.class.getResource(resource);
        if (url == null) {
          throw new EmbeddingException("ONNX Runtime has no native library for " + platform
              + " (missing " + resource + " on the class path)");
        }
        extractOnce(url, dir.resolve(fileName));
      }
      return dir;
    } catch (IOException e) {
      throw new EmbeddingException("cannot unpack ONNX Runtime into " + dir + ": " + e.getMessage()
          + " (set -D" + CACHE_DIR_PROPERTY + " to a writable directory)", e);
    }
  }

  /**
   * {@code <cache>/native/<name>/<os>-<arch>}, created as a private directory (with those between), for
   * native libraries that another library loads from a directory it is told.
   */
  public static Path privateNativeDirectory(String name) throws IOException {
    Path cache = cacheDir();
    Path dir = cache.resolve("native").resolve(name).resolve(onnxRuntimePlatform());
    nativeDirectory(cache, dir);
    return dir;
  }

  /** Copies {@code url} to {@code target} unless a file of the same size is already there. */
  public static void extractOnce(URL url, Path target) throws IOException {
    URLConnection connection = url.openConnection();
    connection.setUseCaches(false);
    long expected = connection.getContentLengthLong();
    // Never load, nor write through, a link: whoever planted it would choose the code cidx runs.
    PrivateFiles.refuseLink(target);
    if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && (expected < 0 || Files.size(target) == expected)) {
      return;
    }
    Path tmp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".tmp"); // O_EXCL, 0600
    try {
      try (InputStream in = connection.getInputStream();
          OutputStream out = Channels.newOutputStream(PrivateFiles.open(tmp, StandardOpenOption.WRITE))) {
        in.transferTo(out);
      }
      PrivateFiles.replace(tmp, target); // another process racing with the same bytes: either file will do
    } finally {
      PrivateFiles.deleteIfExists(tmp); // a no-op once the rename succeeded
    }
  }

  /**
   * Creates {@code dir} and the directories between it and {@code <cache>/native} as private directories
   * (0700, ours, no link): the libraries in them are loaded as code. {@code <cache>} itself is the user's
   * choice and may well be a link to another disk.
   */
  static void nativeDirectory(Path cache, Path dir) throws IOException {
    Files.createDirectories(cache);
    Path nativeRoot = cache.resolve("native");
    Path current = nativeRoot;
    PrivateFiles.directory(current);
    for (Path name : nativeRoot.relativize(dir)) {
      current = current.resolve(name);
      PrivateFiles.directory(current);
    }
  }
}
