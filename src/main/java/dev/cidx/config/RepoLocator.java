package dev.cidx.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the repository a command acts on: the nearest ancestor holding {@code .code-indexer/config.json}. */
public final class RepoLocator {
  private RepoLocator() {}

  public static Optional<RepoPaths> find(Path start) {
    for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(RepoPaths.DATA_DIR).resolve("config.json"))) {
        return Optional.of(new RepoPaths(dir));
      }
    }
    return Optional.empty();
  }
}
