package dev.cidx.watch;

import dev.cidx.index.FileScanner;
import dev.cidx.index.IndexScope;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reports what changes below a repository root, as {@link IndexScope}s, through the JDK's
 * {@link WatchService} (inotify on Linux). That service watches one directory at a time, so every
 * directory the scanner would look into is registered, and each new one as it appears; directories the
 * scanner skips ({@code .git}, {@code .code-indexer}, {@code exclude_dirs}, ignored ones) are never
 * registered, which keeps a repository with a large {@code node_modules} within the system's watch limit.
 *
 * <p>A created or deleted directory is reported as one path (the update looks at everything below it,
 * which also covers files written into a new directory before it was registered). A file is reported
 * only when its name could be indexed. A changed {@code .gitignore}, or events lost by the system
 * ({@code OVERFLOW}), report the whole repository.
 *
 * <p>Threads: one, {@code cidx-watch}, which delivers every report; {@link #close} from any thread.
 */
public final class TreeWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TreeWatcher.class.getName());
  private static final String IGNORE_FILE = ".gitignore";

  /** Which directories to watch and which file names matter: the scanner's rules. */
  public interface Filter {
    boolean watchesDirectory(String relativeDirectory) throws IOException;

    boolean wantsFileName(String relativePath);

    /** The scanner's own rules, so a watch and {@code cidx index} agree on what is indexed. */
    static Filter of(FileScanner scanner) {
      return new Filter() {
        @Override
        public boolean watchesDirectory(String relativeDirectory) throws IOException {
          return scanner.watchesDirectory(relativeDirectory);
        }

        @Override
        public boolean wantsFileName(String relativePath) {
          return scanner.wantsFileName(relativePath);
        }
      };
    }
  }

  /** Where reports go, on the watcher's thread. */
  public interface Listener {
    void changed(IndexScope scope);

    /** A directory could not be watched (say, the system's watch limit is reached); watching goes on. */
    void failed(String message);
  }

  private final Path root;
  private final Filter filter;
  private final Listener listener;
  private final WatchService service;
  /** Watched directories by key, relative to the root ("" for the root). */
  private final Map<WatchKey, String> directories = new ConcurrentHashMap<>();
  private final Set<String> watched = ConcurrentHashMap.newKeySet();
  private final Thread thread;

  private TreeWatcher(Path root, Filter filter, Listener listener) throws IOException {
    this.root = root;
    this.filter = filter;
    this.listener = listener;
    this.service = root.getFileSystem().newWatchService();
    this.thread = new Thread(this::loop, "cidx-watch");
    thread.setDaemon(true);
  }

  /**
   * Registers the tree and starts reporting. Changes from this call on are reported; the caller brings
   * the index up to date once after it returns, for what changed before.
   *
   * @throws IOException the root cannot be watched (a directory below it that cannot is only reported)
   */
  public static TreeWatcher start(Path root, Filter filter, Listener listener) throws IOException {
    TreeWatcher watcher = new TreeWatcher(root, filter, listener);
    try {
      watcher.registerTree("");
    } catch (IOException | RuntimeException e) {
      watcher.close();
      throw e;
    }
    watcher.thread.start();
    return watcher;
  }

  /** How many directories are watched. */
  public int directoryCount() {
    return watched.size();
  }

  @Override
  public void close() {
    try {
      service.close(); // wakes the thread with ClosedWatchServiceException
    } catch (IOException e) {
      LOG.fine("closing the watch service: " + e);
    }
  }

  private void loop() {
    while (true) {
      WatchKey key;
      try {
        key = service.take();
      } catch (ClosedWatchServiceException | InterruptedException e) {
        return;
      }
      try {
        report(key);
      } catch (ClosedWatchServiceException e) {
        return;
      } catch (RuntimeException e) {
        // The thread must outlive one bad event: say so and ask for a full update, which corrects anything.
        LOG.log(Level.WARNING, "watch event failed", e);
        listener.changed(IndexScope.ALL);
      }
    }
  }

  private void report(WatchKey key) {
    String directory = directories.get(key);
    Set<String> changed = new TreeSet<>();
    boolean everything = false;
    boolean rescan = false;
    for (WatchEvent<?> event : key.pollEvents()) {
      if (event.kind() == StandardWatchEventKinds.OVERFLOW || directory == null) {
        // Events were lost, perhaps those of new directories: walk again as well as index everything.
        everything = true;
        rescan = true;
        continue;
      }
      String name = event.context().toString();
      String path = directory.isEmpty() ? name : directory + "/" + name;
      if (name.equals(IGNORE_FILE)) {
        everything = true;
        rescan = true;
      } else if (watched.contains(path) || Files.isDirectory(root.resolve(path), LinkOption.NOFOLLOW_LINKS)) {
        // A directory's own MODIFY says nothing about its files: those have their own events.
        if (event.kind() == StandardWatchEventKinds.ENTRY_DELETE) {
          forget(path);
          changed.add(path);
        } else if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && register(path)) {
          changed.add(path);
        }
      } else if (filter.wantsFileName(path)) {
        changed.add(path);
      }
    }
    if (!key.reset()) {
      directories.remove(key); // its directory is gone; the parent reported the delete
    }
    if (rescan) {
      register(""); // directories the new rules no longer ignore, or lost; watched ones keep their keys
    }
    if (everything) {
      listener.changed(IndexScope.ALL);
    } else if (!changed.isEmpty()) {
      listener.changed(IndexScope.of(changed));
    }
  }

  /**
   * Stops watching a directory that was deleted or moved away, and everything below it: a moved
   * directory's watch would otherwise follow it and report its changes under the old path.
   */
  private void forget(String path) {
    watched.removeIf(d -> d.equals(path) || d.startsWith(path + "/"));
    directories.entrySet().removeIf(e -> {
      String d = e.getValue();
      if (d.equals(path) || d.startsWith(path + "/")) {
        e.getKey().cancel();
        return true;
      }
      return false;
    });
  }

  /** Registers a new directory's tree; false when the rules skip it or it is gone again. */
  private boolean register(String directory) {
    try {
      if (!filter.watchesDirectory(directory)) {
        return false;
      }
      registerTree(directory);
      return true;
    } catch (NoSuchFileException gone) {
      return false;
    } catch (IOException e) {
      listener.failed(e.getMessage());
      return true; // still report it: the update indexes what is there, only later changes may be missed
    }
  }

  private void registerTree(String directory) throws IOException {
    Path start = directory.isEmpty() ? root : root.resolve(directory);
    Files.walkFileTree(start, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
        String path = root.relativize(dir).toString().replace('\\', '/');
        if (!path.equals(directory) && !filter.watchesDirectory(path)) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        WatchKey key;
        try {
          key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
              StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (NoSuchFileException gone) {
          return FileVisitResult.SKIP_SUBTREE;
        } catch (IOException e) {
          if (path.equals(directory)) {
            throw new IOException(describe(dir, e), e);
          }
          listener.failed(describe(dir, e)); // the rest of the tree is still watched
          return FileVisitResult.SKIP_SUBTREE;
        }
        directories.put(key, path);
        watched.add(path);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE; // vanished or unreadable: nothing to watch there
      }
    });
  }

  private static String describe(Path dir, IOException e) {
    String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
    if (reason != null && reason.contains("inotify")) {
      return "cannot watch " + dir + ": the system's limit of inotify watches is reached; raise it with "
          + "`sysctl fs.inotify.max_user_watches=524288`, or add large directories to exclude_dirs";
    }
    return "cannot watch " + dir + ": " + reason;
  }
}
