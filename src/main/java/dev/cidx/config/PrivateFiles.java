package dev.cidx.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The one way cidx creates, opens for writing, replaces and deletes its own files and directories
 * ({@code .code-indexer/} and everything in it, the fallback socket directory, the native-library cache).
 *
 * <p><b>Why.</b> A cloned repository can commit {@code .code-indexer/daemon.lock} as a symbolic link to
 * any file of the user's; an open that follows it truncates that file. So nothing here follows a link:
 * files are opened with {@link LinkOption#NOFOLLOW_LINKS}, which the JDK maps to {@code O_NOFOLLOW} (the
 * kernel refuses the open; there is no check-then-open window), new files get mode 0600 in the
 * {@code open} itself (no chmod afterwards, so no moment in which others may read them), permissions are
 * changed through a no-follow attribute view ({@code fchmod} on an {@code O_NOFOLLOW} descriptor), and
 * renames and unlinks act on the link, never its target. A link found where cidx expects its own entry is
 * refused with {@link UnsafePathException}; the target is never touched.
 *
 * <p>Directories are checked with {@code lstat} (not a link, a directory, owned by this user). That is a
 * check before use, but a safe one: once a directory is ours and 0700, nobody else can swap its entries,
 * and what a repository planted is already there when cidx looks.
 *
 * <p>Thread-safe and stateless.
 */
public final class PrivateFiles {
  static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTRIBUTE =
      PosixFilePermissions.asFileAttribute(FILE_MODE);
  private static final FileAttribute<Set<PosixFilePermission>> DIRECTORY_ATTRIBUTE =
      PosixFilePermissions.asFileAttribute(DIRECTORY_MODE);
  private static final int OWNER_ONLY_DIRECTORY = 0700;
  private static final int OWNER_ONLY_FILE = 0600;
  private static final String TMP_SUFFIX = ".tmp";

  private PrivateFiles() {}

  /**
   * Makes {@code dir} a private directory of this user: created with mode 0700 if missing (missing
   * parents are created as usual: they are not cidx's), else checked (a directory, not a link, ours) and tightened to 0700. Indexes made by
   * older versions (0755) are tightened this way on their next write.
   *
   * @throws UnsafePathException when it is a link, not a directory, or another user's
   */
  public static Path directory(Path dir) throws IOException {
    Stat stat = createOrInspectDirectory(dir);
    if (stat != null && stat.permissions() != OWNER_ONLY_DIRECTORY) {
      setMode(dir, DIRECTORY_MODE);
    }
    return dir;
  }

  /**
   * Like {@link #directory}, for a directory in a place others can write ({@code /tmp},
   * {@code $XDG_RUNTIME_DIR}): an existing one must already be exactly 0700. It is not tightened: while it
   * was open, another user may have put entries in it that cidx would then trust.
   */
  public static Path sharedAreaDirectory(Path dir) throws IOException {
    Stat stat = createOrInspectDirectory(dir);
    if (stat != null && stat.permissions() != OWNER_ONLY_DIRECTORY) {
      throw new UnsafePathException(dir, quote(dir) + " has mode " + stat.permissionString()
          + ", not rwx------; cidx will not use it: remove it (cidx creates it owner-only)");
    }
    return dir;
  }

  /**
   * Null when the directory was just created with the right mode (or the file system has no POSIX
   * modes), else its checked attributes. Looks before creating: on the warm path (the fallback socket
   * directory, asked on every query) it exists, and one lstat is cheaper than a failed mkdir.
   */
  private static Stat createOrInspectDirectory(Path dir) throws IOException {
    Stat stat = stat(dir);
    if (stat == null) {
      try {
        Files.createDirectory(dir, DIRECTORY_ATTRIBUTE); // mkdir(2) never follows a link in the last component
        return null;
      } catch (NoSuchFileException e) {
        Files.createDirectories(dir.toAbsolutePath().getParent()); // parents are not cidx's: made as usual
        return createOrInspectDirectory(dir);
      } catch (FileAlreadyExistsException e) {
        stat = stat(dir); // created meanwhile
      } catch (UnsupportedOperationException e) {
        Files.createDirectories(dir); // not a POSIX file system: nothing more to check
        return null;
      }
      if (stat == null) {
        return null;
      }
    }
    if (stat.isSymbolicLink()) {
      throw symlink(dir);
    }
    if (!stat.isDirectory()) {
      throw new UnsafePathException(dir, quote(dir) + " is not a directory; cidx keeps its own files there: remove it");
    }
    checkOwner(dir, stat);
    return stat;
  }

  /**
   * Opens {@code file} without following a link, adding {@link LinkOption#NOFOLLOW_LINKS} to
   * {@code options}. With {@code CREATE} or {@code CREATE_NEW} a new file gets mode 0600 atomically; an
   * existing one opened for writing is checked (a regular file, ours) and tightened to 0600.
   *
   * @throws UnsafePathException when {@code file} is a link, not a regular file, or another user's
   */
  public static FileChannel open(Path file, OpenOption... options) throws IOException {
    Set<OpenOption> opts = new HashSet<>(Set.of(options));
    opts.add(LinkOption.NOFOLLOW_LINKS);
    boolean creates = opts.contains(StandardOpenOption.CREATE) || opts.contains(StandardOpenOption.CREATE_NEW);
    FileChannel channel;
    try {
      channel = creates ? FileChannel.open(file, opts, FILE_ATTRIBUTE) : FileChannel.open(file, opts);
    } catch (IOException e) {
      if (Files.isSymbolicLink(file)) {
        throw symlink(file); // the kernel refused it (ELOOP, or EEXIST for CREATE_NEW): say why
      }
      throw e;
    }
    boolean success = false;
    try {
      if (opts.contains(StandardOpenOption.WRITE) || opts.contains(StandardOpenOption.APPEND)) {
        Stat stat = stat(file);
        if (stat != null) {
          if (!stat.isRegularFile()) {
            throw new UnsafePathException(file, quote(file) + " is not a regular file; cidx will not write to it: remove it");
          }
          checkOwner(file, stat);
          if (stat.permissions() != OWNER_ONLY_FILE) {
            setMode(file, FILE_MODE);
          }
        }
      }
      success = true;
      return channel;
    } finally {
      if (!success) {
        channel.close();
      }
    }
  }

  /** Opens {@code file} for writing from its start, creating it (0600) or truncating it; no link followed. */
  public static FileChannel openForWrite(Path file) throws IOException {
    return open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /**
   * Replaces {@code file} with {@code text} atomically: written to {@code file.tmp} (0600, no link
   * followed), forced, then renamed over it. A link at {@code file} is refused rather than replaced.
   */
  public static void writeAtomically(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + TMP_SUFFIX);
    Files.deleteIfExists(tmp); // a leftover (or a planted link: unlink removes the link itself)
    boolean done = false;
    try {
      try (FileChannel out = open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          out.write(buf);
        }
        out.force(true);
      }
      replace(tmp, file);
      done = true;
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /**
   * Renames {@code source} over {@code target} atomically. rename(2) replaces the directory entry and
   * never writes through a link; a link at {@code target} is still refused, as cidx did not put it there.
   */
  public static void replace(Path source, Path target) throws IOException {
    if (Files.isSymbolicLink(target)) {
      throw symlink(target);
    }
    try {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Deletes {@code path} if it exists; a link is removed itself, its target left alone (unlink(2)). */
  public static boolean deleteIfExists(Path path) throws IOException {
    return Files.deleteIfExists(path);
  }

  /**
   * Refuses a directory that holds a link, before a library that may follow links (Lucene's
   * {@code write.lock}, opened through its real path) writes there. Entries are looked at, not followed.
   */
  public static void refuseLinksIn(Path dir) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (Files.isSymbolicLink(entry)) {
          throw symlink(entry);
        }
      }
    } catch (NoSuchFileException e) {
      // nothing in it yet
    }
  }

  /**
   * Refuses links in {@code dir} and tightens its regular files to 0600: for a directory a library
   * writes (Lucene creates files with the umask's mode; the 0700 directory already keeps others out).
   */
  public static void checkContents(Path dir) throws IOException {
    refuseLinksIn(dir);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        Stat stat = stat(entry);
        if (stat != null && stat.isRegularFile() && stat.permissions() != OWNER_ONLY_FILE) {
          setMode(entry, FILE_MODE);
        }
      }
    } catch (NoSuchFileException e) {
      // nothing in it
    }
  }

  /** Fails unless {@code file} is absent or not a link: for files opened by code cidx does not control. */
  public static void refuseLink(Path file) {
    if (Files.isSymbolicLink(file)) {
      throw symlink(file);
    }
  }

  /** {@code `.code-indexer/x`} for a path under a repository's data directory, else the whole path. */
  static String quote(Path path) {
    Path abs = path.toAbsolutePath().normalize();
    for (int i = abs.getNameCount() - 1; i >= 0; i--) {
      if (abs.getName(i).toString().equals(RepoPaths.DATA_DIR)) {
        return "`" + abs.subpath(i, abs.getNameCount()).toString().replace('\\', '/') + "`";
      }
    }
    return "`" + abs + "`";
  }

  private static UnsafePathException symlink(Path path) {
    return new UnsafePathException(path, quote(path) + " is a symbolic link; cidx will not write through it: remove it");
  }

  private static void checkOwner(Path path, Stat stat) throws IOException {
    int me = CurrentUser.uid();
    String myName = System.getProperty("user.name");
    String owner = me >= 0 && stat.uid() == me ? myName : ownerName(path);
    if (!owner.equals(myName)) {
      throw new UnsafePathException(path, quote(path) + " belongs to " + owner + ", not to " + myName
          + "; cidx will not write there: remove it or run cidx as its owner");
    }
  }

  private static String ownerName(Path path) throws IOException {
    return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName();
  }

  /** {@code lstat}: type, permission bits and owner uid, without a user-name look-up; null if absent or not POSIX. */
  private static Stat stat(Path path) throws IOException {
    try {
      Map<String, Object> a = Files.readAttributes(path, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
      return new Stat((Integer) a.get("mode"), (Integer) a.get("uid"));
    } catch (NoSuchFileException e) {
      return null;
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return null;
    }
  }

  /** What {@code lstat} says about an entry: {@code st_mode} and {@code st_uid}. */
  private record Stat(int mode, int uid) {
    private static final int TYPE = 0170000;

    boolean isSymbolicLink() {
      return (mode & TYPE) == 0120000;
    }

    boolean isDirectory() {
      return (mode & TYPE) == 0040000;
    }

    boolean isRegularFile() {
      return (mode & TYPE) == 0100000;
    }

    int permissions() {
      return mode & 07777;
    }

    String permissionString() {
      StringBuilder sb = new StringBuilder(9);
      String letters = "rwxrwxrwx";
      for (int bit = 8; bit >= 0; bit--) {
        sb.append((mode & (1 << bit)) != 0 ? letters.charAt(8 - bit) : '-');
      }
      return sb.toString();
    }
  }

  /** chmod through a descriptor opened with O_NOFOLLOW: a link put there meanwhile fails, never its target. */
  private static void setMode(Path path, Set<PosixFilePermission> mode) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view != null) {
      view.setPermissions(EnumSet.copyOf(mode));
    }
  }
}
