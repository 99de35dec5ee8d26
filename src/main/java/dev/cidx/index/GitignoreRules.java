package dev.cidx.index;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.ignore.IgnoreNode;

/**
 * {@code .gitignore} rules for a tree that git itself cannot list (no work tree, or no git binary),
 * matched by JGit's {@link IgnoreNode} so negations, directory-only and anchored patterns mean what they
 * mean to git.
 *
 * <p>As in git, the deepest {@code .gitignore} with a matching rule decides, then {@code
 * .git/info/exclude} if the root has one; and nothing below an ignored directory can be re-included, so
 * callers stop at the first ignored ancestor. Parsed files are kept and re-read only when their size or
 * modification time changes. Safe for concurrent use: the cache is a concurrent map of immutable
 * entries, and a race merely parses a file twice.
 */
final class GitignoreRules {
  private static final String INFO_EXCLUDE = ".git/info/exclude";

  /** One ignore file as last seen; {@code node} is null when there is no such file. */
  private record Parsed(FileTime modified, long size, IgnoreNode node) {}

  private static final Parsed ABSENT = new Parsed(null, -1, null);

  private final Path root;
  private final Map<String, Parsed> byFile = new ConcurrentHashMap<>();

  GitignoreRules(Path root) {
    this.root = root;
  }

  /**
   * Re-reads the {@code .gitignore} of {@code directory} (and, for the root, {@code .git/info/exclude})
   * if it changed. A walk calls this once as it enters each directory.
   */
  void refresh(String directory) throws IOException {
    if (directory.isEmpty()) {
      refreshFile(INFO_EXCLUDE);
    }
    refreshFile(ignoreFileOf(directory));
  }

  /**
   * Whether the rules ignore this entry itself, looking only at its directory's and its ancestors' rule
   * files, as last refreshed. A walk asks this for each entry of a directory it did not skip.
   */
  boolean ignoresEntry(String relativePath, boolean isDirectory) {
    String directory = parentOf(relativePath);
    while (true) {
      IgnoreNode node = cached(ignoreFileOf(directory));
      if (node != null) {
        String below = directory.isEmpty() ? relativePath : relativePath.substring(directory.length() + 1);
        Boolean ignored = node.checkIgnored(below, isDirectory);
        if (ignored != null) {
          return ignored;
        }
      }
      if (directory.isEmpty()) {
        break;
      }
      directory = parentOf(directory);
    }
    IgnoreNode exclude = cached(INFO_EXCLUDE);
    return exclude != null && Boolean.TRUE.equals(exclude.checkIgnored(relativePath, isDirectory));
  }

  /** Whether a file, or any directory above it, is ignored; re-reads rule files that changed first. */
  boolean ignoresFile(String relativePath) throws IOException {
    return ignores(relativePath, false);
  }

  /** Whether a directory, or any directory above it, is ignored; re-reads rule files that changed first. */
  boolean ignoresDirectory(String relativePath) throws IOException {
    return ignores(relativePath, true);
  }

  private boolean ignores(String relativePath, boolean isDirectory) throws IOException {
    refresh("");
    for (int slash = relativePath.indexOf('/'); slash >= 0; slash = relativePath.indexOf('/', slash + 1)) {
      String directory = relativePath.substring(0, slash);
      if (ignoresEntry(directory, true)) {
        return true;
      }
      refresh(directory);
    }
    return ignoresEntry(relativePath, isDirectory);
  }

  private IgnoreNode cached(String ignoreFile) {
    Parsed parsed = byFile.get(ignoreFile);
    return parsed == null ? null : parsed.node();
  }

  private void refreshFile(String ignoreFile) throws IOException {
    Path file = root.resolve(ignoreFile);
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      byFile.put(ignoreFile, ABSENT);
      return;
    }
    Parsed known = byFile.get(ignoreFile);
    if (known != null && known.size() == attributes.size()
        && Objects.equals(known.modified(), attributes.lastModifiedTime())) {
      return;
    }
    IgnoreNode node = new IgnoreNode();
    if (attributes.isRegularFile()) {
      try (InputStream in = Files.newInputStream(file)) {
        node.parse(file.toString(), in);
      }
    }
    byFile.put(ignoreFile, new Parsed(attributes.lastModifiedTime(), attributes.size(), node));
  }

  private static String ignoreFileOf(String directory) {
    return directory.isEmpty() ? ".gitignore" : directory + "/.gitignore";
  }

  private static String parentOf(String relativePath) {
    int slash = relativePath.lastIndexOf('/');
    return slash < 0 ? "" : relativePath.substring(0, slash);
  }
}
