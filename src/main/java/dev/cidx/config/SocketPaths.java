package dev.cidx.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Derives the daemon's socket path. Client and daemon both call this, so they always agree.
 *
 * <p>A Unix socket path must fit in {@code sun_path}: 108 bytes on Linux including the terminating NUL
 * (104 on macOS). Deep checkouts exceed that, which broke the original tool. Then the socket moves to an
 * owner-only runtime directory ({@code $XDG_RUNTIME_DIR/cidx}, else {@code $TMPDIR/cidx-$USER}) under a
 * name made from a hash of the repository path.
 */
public final class SocketPaths {
  /** Longest usable path in bytes: 104 works on both Linux (108) and macOS (104) with the NUL. */
  public static final int MAX_SOCKET_PATH_BYTES = 103;

  private SocketPaths() {}

  public static Path forRepository(RepoPaths repo) {
    Path preferred = repo.dataDir().resolve("daemon.sock");
    if (fits(preferred)) {
      return preferred;
    }
    return fallbackDirectory().resolve(hash(repo.root().toString()) + ".sock");
  }

  public static boolean fits(Path socket) {
    return socket.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH_BYTES;
  }

  /**
   * The owner-only directory for fallback sockets, created (mode 0700) if missing. It lives where other
   * users can create entries, so an existing one must be a real directory of this user with mode 0700.
   *
   * @throws UnsafePathException when it is a link, another user's, or open to others; the caller runs
   *     without a daemon
   * @throws UncheckedIOException when it cannot be created
   */
  static Path fallbackDirectory() {
    String xdg = System.getenv("XDG_RUNTIME_DIR");
    Path dir;
    if (xdg != null && !xdg.isBlank() && Files.isDirectory(Path.of(xdg))) {
      dir = Path.of(xdg, "cidx");
    } else {
      dir = Path.of(System.getProperty("java.io.tmpdir"), "cidx-" + System.getProperty("user.name"));
    }
    try {
      return PrivateFiles.sharedAreaDirectory(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the socket directory " + dir + ": " + e.getMessage(), e);
    }
  }

  static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-256 is always available", e);
    }
  }
}
