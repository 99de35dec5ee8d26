package dev.cidx.daemon;

import dev.cidx.config.PrivateFiles;
import dev.cidx.config.RepoPaths;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * The single-instance lock of one repository's daemon, and the only code that ever unlinks its socket.
 *
 * <p><b>The socket rule.</b> Only the holder of this lock may delete a socket file, and it deletes only
 * the file it bound itself (same device, inode and modification time as recorded at bind). Without the lock,
 * a starting daemon that finds a socket it cannot connect to might delete it just after another daemon
 * bound it, orphaning a live daemon that no client can reach again. With the lock, a socket found while
 * holding it is stale by definition: its daemon is gone (an advisory lock dies with its process, even
 * on {@code kill -9}), so removing it is safe. Clients never delete sockets.
 *
 * <p><b>Binding without a permission window.</b> The JDK creates the socket file with the process umask,
 * so binding in place and then chmod-ing leaves a short window in which another local user could connect.
 * Instead the socket is bound inside a fresh owner-only (0700) directory next to the final path, set to
 * 0600, and then renamed into place; rename keeps the inode, so clients reach the bound socket at the
 * final path with its final permissions from the first instant. The temporary path ({@code .sXXXXXX/s})
 * is never longer than {@code daemon.sock}, so it fits the socket path limit whenever the final one does.
 *
 * <p>Threads: {@link #bind()} and {@link #close()} are called by the starting and stopping thread;
 * {@link #socketStillOurs()} from the expiry check. All are safe to call concurrently.
 */
final class DaemonLock implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DaemonLock.class.getName());
  private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_RWX = PosixFilePermissions.fromString("rwx------");

  /** Connections the kernel queues before accept: a burst of clients must not be refused (EAGAIN). */
  static final int BACKLOG = 256;

  private final RepoPaths repo;
  private final Path socketPath;
  private final FileChannel channel;
  private final FileLock lock;
  /** Identity ({@link #fileKey}) of the socket we bound; null before {@link #bind()}. Guarded by this. */
  private Object boundSocketKey;
  private boolean closed;

  private DaemonLock(RepoPaths repo, Path socketPath, FileChannel channel, FileLock lock) {
    this.repo = repo;
    this.socketPath = socketPath;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock on {@code .code-indexer/daemon.lock} and writes this process's pid into it, or returns
   * empty when another daemon (in this or another process) holds it.
   */
  static Optional<DaemonLock> tryAcquire(RepoPaths repo) throws IOException {
    // .code-indexer holds the socket and the lock: a link, or a directory others may write, could swap either.
    PrivateFiles.directory(repo.dataDir());
    FileChannel channel = PrivateFiles.open(repo.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    boolean success = false;
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // another DaemonLock in this JVM holds it
      }
      if (lock == null) {
        return Optional.empty();
      }
      byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(pid), 0);
      channel.force(false);
      success = true;
      return Optional.of(new DaemonLock(repo, repo.socketPath(), channel, lock));
    } finally {
      if (!success) {
        channel.close();
      }
    }
  }

  /** The pid written by the current holder of the lock, when it can be read. */
  static OptionalLong holderPid(RepoPaths repo) {
    try {
      String text = Files.readString(repo.lockFile(), StandardCharsets.US_ASCII).trim();
      return text.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  Path socketPath() {
    return socketPath;
  }

  /**
   * Removes a stale socket (we hold the lock, so nobody serves it), binds a new one with mode 0600 and
   * returns its listening channel, in blocking mode.
   */
  synchronized ServerSocketChannel bind() throws IOException {
    if (closed) {
      throw new IllegalStateException("lock released");
    }
    Path parent = socketPath.getParent();
    Files.createDirectories(parent);
    removeStaleSocket();
    Path tempDir = createPrivateTempDir(parent);
    Path tempSocket = tempDir.resolve("s");
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    boolean success = false;
    try {
      server.bind(UnixDomainSocketAddress.of(tempSocket), BACKLOG);
      Files.setPosixFilePermissions(tempSocket, OWNER_RW);
      try {
        Files.move(tempSocket, socketPath, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot rename the socket into " + socketPath + ": " + e.getMessage(), e);
      }
      boundSocketKey = fileKey(socketPath);
      success = true;
      return server;
    } finally {
      deleteQuietly(tempSocket);
      deleteQuietly(tempDir);
      if (!success) {
        server.close();
      }
    }
  }

  private void removeStaleSocket() throws IOException {
    if (!Files.exists(socketPath, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!isSocket(socketPath)) {
      throw new IOException(socketPath + " exists and is not a socket; move it away and retry");
    }
    Files.deleteIfExists(socketPath);
    LOG.info("removed stale socket " + socketPath + " (its daemon is gone: the lock was free)");
  }

  /** True while the socket path still names the socket this daemon bound. */
  synchronized boolean socketStillOurs() {
    if (boundSocketKey == null || closed) {
      return false;
    }
    try {
      return boundSocketKey.equals(fileKey(socketPath));
    } catch (IOException e) {
      return false;
    }
  }

  /** Removes the socket file if it is still ours; a socket someone else put there is left alone. */
  synchronized void removeOwnSocket() {
    if (boundSocketKey == null) {
      return;
    }
    try {
      if (boundSocketKey.equals(fileKey(socketPath))) {
        Files.deleteIfExists(socketPath);
      } else {
        LOG.warning("not removing " + socketPath + ": it is no longer the socket this daemon bound");
      }
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      LOG.warning("cannot remove " + socketPath + ": " + e);
    }
    boundSocketKey = null;
  }

  /** Removes our socket (if still ours), then releases the lock. A second call does nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    removeOwnSocket();
    closed = true;
    try {
      // The pid stays in the file: deleting a lock file races with the next daemon locking it.
      lock.release();
    } catch (IOException e) {
      LOG.warning("cannot release " + repo.lockFile() + ": " + e);
    } finally {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.warning("cannot close " + repo.lockFile() + ": " + e);
      }
    }
  }

  static boolean isSocket(Path path) {
    try {
      Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return ((Integer) mode & 0170000) == 0140000;
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      try {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
      } catch (IOException io) {
        return false;
      }
    } catch (IOException e) {
      return false;
    }
  }

  /** A new 0700 directory {@code .sXXXXXX} (six random base-36 characters) inside {@code parent}. */
  private static Path createPrivateTempDir(Path parent) throws IOException {
    for (int attempt = 0; ; attempt++) {
      String token = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36), 36);
      Path dir = parent.resolve(".s" + "0".repeat(6 - token.length()) + token);
      try {
        return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
      } catch (FileAlreadyExistsException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }

  /**
   * What identifies the socket file we bound: its file key (device and inode) and its modification time.
   * The inode alone is not enough: file systems reuse a deleted file's inode number at once, so a socket
   * bound by another daemon after ours was deleted (with {@code .code-indexer}, say) may get the same one.
   * A socket's modification time is set when it is bound and not changed by connections.
   */
  private static Object fileKey(Path path) throws IOException {
    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return List.of(Objects.requireNonNull(a.fileKey(), "file key of " + path), a.lastModifiedTime());
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // best effort: a leftover temp entry is harmless and removed by the next bind with this pid
    }
  }
}
