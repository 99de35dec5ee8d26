package dev.cidx.config;

import java.io.IOException;
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

  /**
   * The root is kept as its real path (symbolic links and {@code ..} resolved) when it exists: it is the
   * repository's identity, from which the socket path, the fallback socket's hash and the daemon's lock
   * follow, so two spellings of one checkout must reach one daemon, not start a second writer.
   */
  public RepoPaths {
    Objects.requireNonNull(root, "root");
    root = realPath(root.toAbsolutePath().normalize());
  }

  /** The real path of the longest existing prefix of {@code absolute}, with the rest appended unchanged. */
  private static Path realPath(Path absolute) {
    Path rest = absolute.getFileSystem().getPath("");
    for (Path p = absolute; p != null; p = p.getParent()) {
      try {
        return p.toRealPath().resolve(rest);
      } catch (IOException e) {
        // not created yet (cidx init, a deleted file), or unreadable: try its parent
        Path name = p.getFileName();
        rest = name == null ? rest : name.resolve(rest);
      }
    }
    return absolute;
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
    Path absolute = path.toAbsolutePath().normalize();
    if (!absolute.startsWith(root)) {
      absolute = realPath(absolute); // spelled through a symbolic link to the root
    }
    return root.relativize(absolute).toString().replace('\\', '/');
  }
}
