package dev.cidx.index;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Asks git which files of a work tree are not ignored: {@code git ls-files --cached --others
 * --exclude-standard}, i.e. tracked files plus untracked ones no ignore rule covers. Git applies every
 * rule it knows (nested {@code .gitignore}s, {@code .git/info/exclude}, {@code core.excludesFile},
 * negations), so cidx never second-guesses it. Run from a subdirectory of a work tree, git lists that
 * subdirectory with paths relative to it, which is what a repository rooted there needs.
 *
 * <p>Output goes to temporary files rather than pipes so that waiting with a timeout needs no reader
 * thread, and a huge listing can never fill a pipe and stall git.
 */
final class GitLister {
  private static final Logger LOG = Logger.getLogger(GitLister.class.getName());

  /** Generous: listing even a very large work tree takes seconds; longer means git is stuck (a lock, NFS). */
  static final Duration TIMEOUT = Duration.ofMinutes(2);

  /**
   * Set by git hooks and wrappers; inherited, they would point git at some other repository than the
   * one under the root.
   */
  private static final List<String> LOCATION_VARIABLES = List.of(
      "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE",
      "GIT_PREFIX");

  private final Path root;

  GitLister(Path root) {
    this.root = root;
  }

  /**
   * The files git would show under the root, limited to {@code literalPaths} when any are given; empty
   * when the root is not in a git work tree, git is not installed, or git fails (logged).
   */
  Optional<List<String>> list(String... literalPaths) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        "git", "--literal-pathspecs", "-c", "core.quotePath=false",
        "ls-files", "-z", "--cached", "--others", "--exclude-standard"));
    if (literalPaths.length > 0) {
      command.add("--");
      command.addAll(List.of(literalPaths));
    }
    Path out = Files.createTempFile("cidx-git-", ".out");
    Path err = Files.createTempFile("cidx-git-", ".err");
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(root.toFile())
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      builder.environment().keySet().removeAll(LOCATION_VARIABLES);
      Process git;
      try {
        git = builder.start();
      } catch (IOException notInstalled) {
        LOG.fine(() -> "cannot run git, walking " + root + " instead: " + notInstalled.getMessage());
        return Optional.empty();
      }
      int exit = await(git);
      if (exit != 0) {
        String error = Files.readString(err, StandardCharsets.UTF_8).strip();
        // Outside a work tree is the ordinary non-git case; anything else (say, git refusing a
        // repository owned by another user) deserves a line in the log before falling back.
        Level level = error.contains("not a git repository") ? Level.FINE : Level.WARNING;
        LOG.log(level, () -> "git ls-files failed in " + root + " (exit " + exit + "), walking instead: "
            + error.lines().findFirst().orElse(""));
        return Optional.empty();
      }
      return Optional.of(splitOnNul(Files.readAllBytes(out)));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private int await(Process git) throws IOException {
    try {
      if (!git.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        git.destroyForcibly();
        throw new IOException("git ls-files did not finish within " + TIMEOUT.toSeconds() + " s in " + root);
      }
      return git.exitValue();
    } catch (InterruptedException e) {
      git.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while git listed " + root);
    }
  }

  /**
   * Entries are NUL-terminated and unquoted. An entry ending in {@code /} is an untracked nested
   * repository, not a file, so it is dropped.
   */
  static List<String> splitOnNul(byte[] output) {
    List<String> paths = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < output.length; i++) {
      if (output[i] == 0) {
        if (i > start && output[i - 1] != '/') {
          paths.add(new String(output, start, i - start, StandardCharsets.UTF_8));
        }
        start = i + 1;
      }
    }
    return paths;
  }
}
