package dev.cidx.index;

import dev.cidx.config.PrivateFiles;
import dev.cidx.embed.NativeLibraries;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.treesitter.TSLanguage;
import org.treesitter.TSParser;
import org.treesitter.TSTree;

/**
 * The tree-sitter grammars cidx parses with, by cidx language name, loaded on first use.
 *
 * <p>Each grammar jar carries its parser as a native library for Linux, macOS and Windows; tree-sitter's
 * own loader copies it to {@code ~/.tree-sitter} (or the directory {@value #STORE_PROPERTY} names) and
 * writes there through whatever link it finds. So before the first grammar class loads, the libraries
 * are extracted the way {@link NativeLibraries} extracts ONNX Runtime (private directory, no link
 * followed, written then renamed) into {@code <cache>/native/tree-sitter-<version>/}, and the property
 * points there; tree-sitter then finds each file with the right checksum and only loads it.
 *
 * <p>A grammar whose native fails to load (an unsupported platform) is logged once and its language
 * stays on line windows. Thread-safe: languages are immutable and shared; parsers are made per parse.
 */
final class TreeSitterGrammars {
  private static final Logger LOG = Logger.getLogger(TreeSitterGrammars.class.getName());
  /** The property tree-sitter's {@code NativeUtils} reads for its library directory. */
  static final String STORE_PROPERTY = "tree-sitter-lib";
  /** Names the extraction directory: change with the tree-sitter versions in pom.xml. */
  private static final String NATIVES_VERSION = "0.25.3-1";

  /** cidx language name to the grammar's class (in org.treesitter) and native library name. */
  private static final Map<String, String> GRAMMARS = Map.of(
      "java", "Java",
      "python", "Python",
      "go", "Go",
      "typescript", "Typescript",
      "javascript", "Javascript",
      "rust", "Rust",
      "c", "C",
      "cpp", "Cpp",
      "kotlin", "Kotlin");

  /** Guarded by the class lock; an empty value: that grammar failed to load. */
  private static final Map<String, Optional<TSLanguage>> LOADED = new HashMap<>();
  private static boolean nativesPrepared;
  private static final Method TREE_POINTER = treePointer();

  private TreeSitterGrammars() {}

  /** Whether cidx has a grammar for the language (whether or not it loads here). */
  static boolean supports(String language) {
    return GRAMMARS.containsKey(language);
  }

  /** The grammar of a language, loading it on first use; empty when there is none or it failed to load. */
  static synchronized Optional<TSLanguage> grammar(String language) {
    String className = GRAMMARS.get(language);
    if (className == null) {
      return Optional.empty();
    }
    return LOADED.computeIfAbsent(language, l -> load(l, className));
  }

  private static Optional<TSLanguage> load(String language, String className) {
    try {
      prepareNatives();
      Class<?> type = Class.forName("org.treesitter.TreeSitter" + className);
      return Optional.of((TSLanguage) type.getConstructor().newInstance());
    } catch (ReflectiveOperationException | IOException | RuntimeException | LinkageError e) {
      LOG.log(Level.WARNING, "tree-sitter grammar for " + language + " is unavailable here (" + e
          + "); its files are cut into line windows");
      return Optional.empty();
    }
  }

  /** Extracts the core and every grammar library once, before any tree-sitter class loads them. */
  private static void prepareNatives() throws IOException {
    if (nativesPrepared || System.getProperty(STORE_PROPERTY) != null) {
      return;
    }
    Path store = NativeLibraries.privateNativeDirectory("tree-sitter-" + NATIVES_VERSION);
    Path libDir = store.resolve("lib");
    PrivateFiles.directory(libDir);
    for (String library : libraries()) {
      String fileName = nativeFileName(library);
      URL url = TreeSitterGrammars.class.getResource("/lib/" + fileName);
      if (url != null) {
        NativeLibraries.extractOnce(url, libDir.resolve(fileName));
      }
    }
    System.setProperty(STORE_PROPERTY, store.toString());
    nativesPrepared = true;
  }

  private static List<String> libraries() {
    List<String> names = new ArrayList<>();
    names.add("tree-sitter");
    GRAMMARS.keySet().forEach(l -> names.add("tree-sitter-" + l));
    return names;
  }

  /** The file name tree-sitter's loader looks for: {@code x86_64-linux-gnu-tree-sitter-java.so}. */
  static String nativeFileName(String library) {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String osPart = os.contains("windows") ? "windows" : os.contains("mac") ? "macos" : "linux-gnu";
    String extension = os.contains("windows") ? "dll" : os.contains("mac") ? "dylib" : "so";
    String archPart = arch.contains("amd64") || arch.contains("x86_64") ? "x86_64" : "aarch64";
    return archPart + "-" + osPart + "-" + library + "." + extension;
  }

  /**
   * Whether a parse produced a tree: a parse stopped by its timeout yields a tree without one, on which
   * any call would crash the process. The binding hides the pointer, hence the reflection.
   */
  static boolean hasTree(TSTree tree) {
    if (tree == null) {
      return false;
    }
    if (TREE_POINTER == null) {
      return false; // cannot tell: windows rather than a crash
    }
    try {
      return (long) TREE_POINTER.invoke(tree) != 0;
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  private static Method treePointer() {
    try {
      Method m = TSTree.class.getDeclaredMethod("getPtr");
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** A parser for the language, stopping after {@code timeoutMicros}. */
  static TSParser parser(TSLanguage language, long timeoutMicros) {
    TSParser parser = new TSParser();
    parser.setLanguage(language);
    parser.setTimeoutMicros(timeoutMicros);
    return parser;
  }
}
