package dev.cidx.index;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Decides which files of a repository are indexed.
 *
 * <p>Candidates come from git when the root is inside a git work tree ({@link GitLister}: tracked files
 * plus untracked ones that no ignore rule covers, with git's full ignore semantics). Otherwise, or when
 * git is not installed, the tree is walked and {@code .gitignore} files at every depth are honoured
 * through JGit ({@link GitignoreRules}); the walk does not follow symbolic links to directories.
 *
 * <p>Every candidate must then pass the same checks: no directory on its path is named in {@code
 * exclude_dirs} (nor {@code .git} or {@code .code-indexer}, always); its extension is configured, or it
 * is a well-known file name ({@code Dockerfile}, {@code Makefile}) whose language is; it is a regular
 * file of at most {@code max_file_size} bytes; a symbolic link must stay inside the root; and its first
 * 8 KiB hold no NUL byte.
 *
 * <p>Thread-safe: a scanner holds only immutable settings and {@link GitignoreRules}' concurrent cache,
 * so a watcher may call {@link #accepts} while another thread scans.
 */
public final class FileScanner {
  private static final Logger LOG = Logger.getLogger(FileScanner.class.getName());

  /** Never indexed whatever the configuration says: git's internals and cidx's own index. */
  private static final Set<String> ALWAYS_EXCLUDED = Set.of(".git", RepoPaths.DATA_DIR);

  private final Path root;
  private final Set<String> extensions;
  private final Set<String> excludedDirectories;
  private final long maxFileSize;
  private final GitLister git;
  private final GitignoreRules gitignores;

  /** Whether the root is in a git work tree; null until the first scan or check finds out. */
  private volatile Boolean inGitWorkTree;

  public FileScanner(RepoPaths repo, CidxConfig config) {
    this.root = repo.root();
    this.extensions = new HashSet<>();
    for (String extension : config.fileExtensions()) {
      extensions.add(extension.strip().toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""));
    }
    this.excludedDirectories = new HashSet<>(config.excludeDirs());
    excludedDirectories.addAll(ALWAYS_EXCLUDED);
    this.maxFileSize = config.maxFileSize();
    this.git = new GitLister(root);
    this.gitignores = new GitignoreRules(root);
  }

  /** The files to index, sorted by path. */
  public List<SourceFile> scan() throws IOException {
    Optional<List<String>> listed = git.list();
    inGitWorkTree = listed.isPresent();
    return inspectAll(listed.isPresent() ? listed.get() : walk());
  }

  /**
   * The files {@link #scan()} would return now at or below these paths (files or directories, relative to
   * the root), sorted by path: what a watcher's update looks at. Paths that leave the root are dropped.
   */
  public List<SourceFile> scan(Collection<String> paths) throws IOException {
    List<String> wanted = paths.stream().filter(FileScanner::isPlainRelative).distinct().toList();
    if (wanted.isEmpty()) {
      return List.of();
    }
    Optional<List<String>> listed = inGitWorkTree == Boolean.FALSE ? Optional.empty()
        : git.list(wanted.toArray(String[]::new));
    inGitWorkTree = listed.isPresent();
    List<String> candidates;
    if (listed.isPresent()) {
      candidates = listed.get();
    } else {
      candidates = new ArrayList<>();
      Path realRoot = root.toRealPath();
      for (String path : wanted) {
        if (!insideRoot(realRoot, path)) {
          continue; // through a link to elsewhere, which the walk of a full scan never follows
        }
        if (Files.isDirectory(root.resolve(path), LinkOption.NOFOLLOW_LINKS)) {
          if (watchesDirectory(path)) {
            candidates.addAll(walk(path));
          }
        } else if (!gitignores.ignoresFile(path)) {
          candidates.add(path);
        }
      }
    }
    return inspectAll(candidates);
  }

  /** The candidates that pass every check but the ignore rules, once each, sorted by path. */
  private List<SourceFile> inspectAll(List<String> candidates) {
    List<SourceFile> files = new ArrayList<>(candidates.size());
    for (String path : new HashSet<>(candidates)) { // git lists a conflicted path once per stage
      inspect(path).ifPresent(files::add);
    }
    files.sort(Comparator.comparing(SourceFile::path));
    return files;
  }

  /** Whether an existing path, links on the way resolved, is under the root; false when it is gone. */
  private boolean insideRoot(Path realRoot, String path) {
    try {
      Path real = root.resolve(path).toRealPath();
      return real.startsWith(realRoot);
    } catch (IOException gone) {
      return false;
    }
  }

  /**
   * Whether a watcher should watch this directory: no excluded directory is on its path and no
   * {@code .gitignore} ignores it (git's own listing still decides about each file in it).
   */
  public boolean watchesDirectory(String relativeDirectory) throws IOException {
    if (relativeDirectory.isEmpty()) {
      return true;
    }
    if (!isPlainRelative(relativeDirectory) || onExcludedDirectory(relativeDirectory + "/")) {
      return false;
    }
    return !gitignores.ignoresDirectory(relativeDirectory);
  }

  /**
   * Whether a file at this path could be indexed, judging by its name alone: a configured extension or
   * well-known name, and no excluded directory on the path. A watcher drops other changes at once.
   */
  public boolean wantsFileName(String relativePath) {
    return isPlainRelative(relativePath) && isWantedPath(relativePath);
  }

  /**
   * Whether {@link #scan()} would return this path now, for a watcher reacting to one change. Paths are
   * relative to the root with forward slashes; one that leaves the root is never accepted.
   */
  public boolean accepts(String relativePath) throws IOException {
    return sourceFile(relativePath).isPresent();
  }

  /** The entry {@link #scan()} would return for this path now, if it would return one. */
  public Optional<SourceFile> sourceFile(String relativePath) throws IOException {
    if (!isPlainRelative(relativePath)) {
      return Optional.empty();
    }
    Optional<SourceFile> file = inspect(relativePath);
    if (file.isEmpty()) {
      return file;
    }
    // Ignore rules last: in a git work tree they cost a process.
    if (inGitWorkTree == null || inGitWorkTree) {
      Optional<List<String>> listed = git.list(relativePath);
      inGitWorkTree = listed.isPresent();
      if (listed.isPresent()) {
        return listed.get().contains(relativePath) ? file : Optional.empty();
      }
    }
    return gitignores.ignoresFile(relativePath) ? Optional.empty() : file;
  }

  /** Relative paths of the files under the root that no {@code .gitignore} ignores. */
  private List<String> walk() throws IOException {
    return walk("");
  }

  /** Relative paths of the files under {@code directory} (relative; "" for the root) that no rule ignores. */
  private List<String> walk(String directory) throws IOException {
    List<String> found = new ArrayList<>();
    Path base = root.toRealPath(); // a root reached through a link is walked, not reported as one file
    Path start = directory.isEmpty() ? base : base.resolve(directory);
    Files.walkFileTree(start, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
        String path = relative(base, dir);
        if (!path.isEmpty() && !path.equals(directory)
            && (excludedDirectories.contains(dir.getFileName().toString()) || gitignores.ignoresEntry(path, true))) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        gitignores.refresh(path);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
        String path = relative(base, file);
        if (!gitignores.ignoresEntry(path, false)) {
          found.add(path);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        LOG.fine(() -> "skipping unreadable " + file + ": " + e.getMessage());
        return FileVisitResult.CONTINUE;
      }
    });
    return found;
  }

  /** Every check but the ignore rules, cheapest first. */
  private Optional<SourceFile> inspect(String path) {
    if (!isWantedPath(path)) {
      return Optional.empty();
    }
    Path file = root.resolve(path);
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (attributes.isSymbolicLink()) {
        if (!file.toRealPath().startsWith(root.toRealPath())) {
          return Optional.empty();
        }
        attributes = Files.readAttributes(file, BasicFileAttributes.class);
      }
      // Not regular: a submodule, a deleted file's leftover directory, a device.
      if (!attributes.isRegularFile() || attributes.size() > maxFileSize || FileText.isBinary(file)) {
        return Optional.empty();
      }
      return Optional.of(new SourceFile(
          file, path, attributes.size(), attributes.lastModifiedTime().toMillis(), Languages.of(path)));
    } catch (NoSuchFileException gone) { // tracked but deleted, or removed since it was listed
      return Optional.empty();
    } catch (IOException e) { // unreadable: one bad file must not stop the scan
      LOG.warning(() -> "skipping " + file + ": " + e);
      return Optional.empty();
    }
  }

  /** No excluded directory on the path, and a configured extension or a well-known file name. */
  private boolean isWantedPath(String path) {
    if (onExcludedDirectory(path)) {
      return false;
    }
    String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    String extension = Languages.extension(name);
    if ((extension != null && extensions.contains(extension)) || extensions.contains(name)) {
      return true;
    }
    String language = Languages.ofWellKnownName(name);
    return language != null
        && (extensions.contains(language) || Languages.extensionsOf(language).stream().anyMatch(extensions::contains));
  }

  /** Whether a directory of the path (every segment before the last slash) is excluded. */
  private boolean onExcludedDirectory(String path) {
    int start = 0;
    for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', start)) {
      if (excludedDirectories.contains(path.substring(start, slash))) {
        return true;
      }
      start = slash + 1;
    }
    return false;
  }

  private static String relative(Path base, Path path) {
    return base.relativize(path).toString().replace('\\', '/');
  }

  private static boolean isPlainRelative(String path) {
    if (path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
      return false;
    }
    for (String segment : path.split("/")) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }
}
