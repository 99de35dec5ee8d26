package dev.cidx.daemon;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * Keeps the daemon's view of {@code config.json} current. {@link #poll()} runs about once a second and
 * costs one {@code stat} when nothing changed; when the modification time or size differs it re-reads
 * the file. A valid new config replaces the current one and is reported to the listener; an invalid or
 * missing file is logged once and the last good config stays in force.
 *
 * <p>Polling rather than a {@code WatchService}: editors replace files by rename, which a directory watch
 * reports in several ways (and on macOS only by polling anyway); one {@code stat} a second is cheaper
 * than getting those cases right.
 *
 * <p>Threads: {@link #poll()} from one scheduler thread; {@link #current()} from any.
 */
final class ConfigWatcher {
  private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());

  private final Path file;
  private final BiConsumer<CidxConfig, CidxConfig> onChange;
  private volatile CidxConfig current;
  /** Modification time and size last seen; touched only by the polling thread. */
  private FileTime seenTime;
  private long seenSize = -1;

  ConfigWatcher(Path file, CidxConfig initial, BiConsumer<CidxConfig, CidxConfig> onChange) {
    this.file = file;
    this.current = Objects.requireNonNull(initial, "initial");
    this.onChange = onChange;
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      seenTime = a.lastModifiedTime();
      seenSize = a.size();
    } catch (IOException e) {
      // poll() reports it
    }
  }

  CidxConfig current() {
    return current;
  }

  /** Re-reads the file if it changed since the last poll. */
  void poll() {
    FileTime time;
    long size;
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      time = a.lastModifiedTime();
      size = a.size();
    } catch (NoSuchFileException e) {
      if (seenSize != -2) {
        LOG.warning(file + " is missing; keeping the current settings");
        seenSize = -2;
        seenTime = null;
      }
      return;
    } catch (IOException e) {
      LOG.warning("cannot check " + file + ": " + e.getMessage());
      return;
    }
    if (time.equals(seenTime) && size == seenSize) {
      return;
    }
    seenTime = time;
    seenSize = size;
    CidxConfig next;
    try {
      next = CidxConfig.load(file);
    } catch (ConfigException e) {
      LOG.warning("config not reloaded, keeping the current settings: " + e.getMessage());
      return;
    }
    CidxConfig old = current;
    if (next.equals(old)) {
      return;
    }
    current = next;
    LOG.info("config reloaded: daemon " + describe(old) + " -> " + describe(next)
        + (old.embeddingModel().equals(next.embeddingModel()) ? "" : "; embedding_model " + old.embeddingModel()
            + " -> " + next.embeddingModel()));
    onChange.accept(old, next);
  }

  private static String describe(CidxConfig c) {
    return "{ttl_minutes " + c.daemon().ttlMinutes() + ", auto_shutdown_on_idle " + c.daemon().autoShutdownOnIdle()
        + ", eviction_check_interval_seconds " + c.daemon().evictionCheckIntervalSeconds() + "}";
  }
}
