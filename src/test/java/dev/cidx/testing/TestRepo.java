package dev.cidx.testing;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.DaemonSettings;
import dev.cidx.config.RepoPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/** A repository directory with a {@code .code-indexer/config.json}, for tests. */
public final class TestRepo {
  private TestRepo() {}

  public static RepoPaths create(Path root) throws IOException {
    return create(root, DaemonSettings.DEFAULTS);
  }

  public static RepoPaths create(Path root, DaemonSettings settings) throws IOException {
    Files.createDirectories(root); // first, so that RepoPaths holds its real path, as discovery will
    RepoPaths repo = new RepoPaths(root);
    Files.createDirectories(repo.dataDir());
    writeConfig(repo, CidxConfig.defaults().withDaemon(settings));
    return repo;
  }

  /** Writes the config and moves its modification time forward, so a poll sees a change even within one tick. */
  public static void writeConfig(RepoPaths repo, CidxConfig config) throws IOException {
    writeRaw(repo, config.toJson());
  }

  /**
   * Replaces the config file atomically (as {@code CidxConfig.save} does), so a poll never sees it half
   * written, with a modification time later than the previous one's.
   */
  public static void writeRaw(RepoPaths repo, String text) throws IOException {
    Path file = repo.configFile();
    FileTime before = Files.exists(file) ? Files.getLastModifiedTime(file) : FileTime.from(Instant.EPOCH);
    Path tmp = file.resolveSibling("config.json.test-tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    if (Files.getLastModifiedTime(tmp).compareTo(before) <= 0) {
      Files.setLastModifiedTime(tmp, FileTime.from(before.toInstant().plusMillis(10)));
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
