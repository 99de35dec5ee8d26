package dev.cidx.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where cidx keeps a repository's state: everything lives under {@code ROOT/.code-indexer/}.
 *
 * <p>The index itself is one Lucene directory ({@code index/}) whose commits name the vector file that
 * belongs to them, so the two can never be seen half-updated; see {@code dev.cidx.index}.
 */
public record RepoPaths(Path root) {
  public static final String DATA_DIR = ".code-indexer";

  public RepoPaths {
    Objects.requireNonNull(root, "root");
    root = root.toAbsolutePath().normalize();
  }

  public Path dataDir() {
    return root.resolve(DATA_DIR);
  }

  public Path configFile() {
    return dataDir().resolve("config.json");
  }

  /** The Lucene directory; vector files ({@code vectors-N.hnsw}) sit inside it, named by its commits. */
  public Path indexDir() {
    return dataDir().resolve("index");
  }

  /** Append-only log of computed embeddings keyed by chunk content hash. */
  public Path embeddingCacheFile() {
    return dataDir().resolve("embeddings.cache");
  }

  public Path lockFile() {
    return dataDir().resolve("daemon.lock");
  }

  public Path logFile() {
    return dataDir().resolve("daemon.log");
  }

  /** The daemon's socket: {@code .code-indexer/daemon.sock}, or a short fallback if that path is too long. */
  public Path socketPath() {
    return SocketPaths.forRepository(this);
  }

  /** {@code path} relative to the root, with forward slashes, as results and filters show it. */
  public String relativize(Path path) {
    return root.relativize(path.toAbsolutePath().normalize()).toString().replace('\\', '/');
  }
}
