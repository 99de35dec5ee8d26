package dev.cidx.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Finds the repository a command acts on: the nearest ancestor holding {@code .code-indexer/config.json}
 * whose {@code .code-indexer} belongs to the current user.
 *
 * <p>Why the owner: a command walks up from the working directory, so anyone who can create a directory
 * above the user's checkout (say {@code /tmp/.code-indexer} above {@code /tmp/work/repo}) could otherwise
 * choose the index, config and daemon socket the user's cidx trusts. This is git's CVE-2022-24765, and the
 * answer is git's: skip a foreign one, say so in one line with how to trust it ({@link SafeDirectories}),
 * and keep looking upward.
 */
public final class RepoLocator {
  /**
   * Drops the warnings, for a caller that lets a later lookup print them. A class, not a lambda: the
   * client's fast path uses it, and a first lambda costs a short-lived JVM milliseconds.
   */
  public static final Consumer<String> NO_WARNINGS = new Consumer<>() {
    @Override
    public void accept(String warning) {}
  };

  private RepoLocator() {}

  /** {@link #find(Path, Map, Consumer)} with this process's environment, warning on stderr. */
  public static Optional<RepoPaths> find(Path start) {
    return find(start, System.getenv(), System.err::println);
  }

  /**
   * The repository at or above {@code start}. A {@code .code-indexer} owned by another user and not
   * trusted through {@code env} or the user's config is skipped, with one line to {@code warnings}.
   */
  public static Optional<RepoPaths> find(Path start, Map<String, String> env, Consumer<String> warnings) {
    for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
      Path dataDir = dir.resolve(RepoPaths.DATA_DIR);
      if (!Files.isRegularFile(dataDir.resolve("config.json"))) {
        continue;
      }
      if (ownedByCurrentUser(dataDir) || SafeDirectories.trusts(dir, env)) {
        return Optional.of(new RepoPaths(dir));
      }
      warnings.accept(foreignMessage(dir, dataDir, env));
    }
    return Optional.empty();
  }

  static String foreignMessage(Path root, Path dataDir, Map<String, String> env) {
    return "cidx: ignoring " + dataDir + ": it belongs to " + ownerName(dataDir) + ", not you; to trust it, add "
        + root + " to " + SafeDirectories.ENV + " or to \"" + SafeDirectories.CONFIG_KEY + "\" in "
        + SafeDirectories.userConfigFile(env);
  }

  /** True when the user owns {@code path} and, if it is a symbolic link, what it points to as well. */
  static boolean ownedByCurrentUser(Path path) {
    try {
      int me = CurrentUser.uid();
      if ((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS) != me) {
        return false;
      }
      return !Files.isSymbolicLink(path) || (Integer) Files.getAttribute(path, "unix:uid") == me;
    } catch (IOException e) {
      return false;
    }
  }

  private static String ownerName(Path path) {
    try {
      return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName();
    } catch (IOException e) {
      return "another user";
    }
  }
}
