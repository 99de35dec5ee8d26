package dev.cidx.daemon;

import dev.cidx.config.DaemonSettings;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.Messages.StatusResult;
import dev.cidx.protocol.Version;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What {@code status} answers, assembled from the parts that know it (state, metrics, cache, index runs,
 * watch, connections), and what the daemon is writing, which decides whether a {@code shutdown} with
 * {@code unless_writing} is refused. It also keeps the last reason the cache was dropped or the daemon
 * expired, for the status to show.
 *
 * <p>Threads: any; it reads what each part publishes for other threads, and the expiry reason is volatile.
 */
final class DaemonStatus {
  private final RepoPaths repo;
  private final Supplier<Path> socketPath;
  private final Clock clock;
  private final DaemonStateCoordinator state;
  private final Supplier<DaemonSettings> settings;
  private final Metrics metrics;
  private final IndexCache cache;
  private final IndexJobs indexJobs;
  private final DaemonWatch watch;
  private final IntSupplier openConnections;
  private volatile String lastExpiryReason;

  DaemonStatus(RepoPaths repo, Supplier<Path> socketPath, Clock clock, DaemonStateCoordinator state,
      Supplier<DaemonSettings> settings, Metrics metrics, IndexCache cache, IndexJobs indexJobs, DaemonWatch watch,
      IntSupplier openConnections) {
    this.repo = repo;
    this.socketPath = socketPath;
    this.clock = clock;
    this.state = state;
    this.settings = settings;
    this.metrics = metrics;
    this.cache = cache;
    this.indexJobs = indexJobs;
    this.watch = watch;
    this.openConnections = openConnections;
  }

  /** Why the cache was last dropped or the daemon expired ("idle for 10 minutes", "cleared by clear_cache"). */
  void recordExpiry(String reason) {
    lastExpiryReason = reason;
  }

  /**
   * What the daemon is writing, as "indexing since 09:41:07, 120/400 chunks embedded", "watching this
   * repository" or "indexing changes it was told of"; null when it would lose no work by stopping.
   */
  String writing() {
    String run = indexJobs.summary();
    if (run != null) {
      return "indexing " + run;
    }
    return watch.watching() ? "watching this repository"
        : watch.busy() ? "indexing changes it was told of" : null;
  }

  StatusResult status() {
    DaemonStateCoordinator.Snapshot s = state.snapshot();
    DaemonSettings settings = this.settings.get();
    Instant now = clock.instant();
    Runtime rt = Runtime.getRuntime();
    double mb = 1024.0 * 1024.0;
    return new StatusResult(
        true,
        ProcessHandle.current().pid(),
        Version.CIDX,
        Version.PROTOCOL,
        s.state().name().toLowerCase(Locale.ROOT),
        s.startedAt().toString(),
        Duration.between(s.startedAt(), now).toMillis() / 1000.0,
        socketPath.get().toString(),
        repo.root().toString(),
        s.lastActivity().toString(),
        state.idleFor().toMillis() / 1000.0,
        s.inFlight(),
        openConnections.getAsInt(),
        metrics.requests(),
        metrics.queries(),
        metrics.errors(),
        metrics.percentile(50),
        metrics.percentile(99),
        Math.round((rt.totalMemory() - rt.freeMemory()) / mb * 10) / 10.0,
        Math.round(rt.totalMemory() / mb * 10) / 10.0,
        settings.ttlMinutes(),
        settings.autoShutdownOnIdle(),
        settings.evictionCheckIntervalSeconds(),
        lastExpiryReason,
        cache.status(),
        indexJobs.status(),
        watch.status());
  }
}
