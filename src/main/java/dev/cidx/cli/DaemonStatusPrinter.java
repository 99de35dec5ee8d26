package dev.cidx.cli;

import dev.cidx.config.RepoPaths;
import dev.cidx.index.IndexProgress;
import dev.cidx.protocol.Messages.CacheStatus;
import dev.cidx.protocol.Messages.IndexProgressParams;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.protocol.Messages.StatusResult;
import dev.cidx.protocol.Messages.WatchStatus;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The daemon's status for people, as {@code cidx daemon status} and the daemon section of
 * {@code cidx status} print it. Reads the {@code status} method's result record, so a field renamed there
 * does not compile here; a field a newer daemon adds costs nothing, and a missing one prints as "-".
 */
final class DaemonStatusPrinter {
  private final PrintStream out;

  DaemonStatusPrinter(PrintStream out) {
    this.out = out;
  }

  void printRunning(StatusResult s) {
    out.printf(Locale.ROOT, "daemon:        running, pid %d (cidx %s, protocol %d), %s%n", s.pid(),
        text(s.version(), "?"), s.protocolVersion(), text(s.state(), "?"));
    out.println("socket:        " + text(s.socketPath(), "-"));
    out.println("uptime:        " + duration(s.uptimeSeconds()) + " (since " + text(s.startedAt(), "-") + ")");
    out.println("last access:   " + text(s.lastAccess(), "-") + " (idle " + duration(s.idleSeconds())
        + "; after " + number(s.ttlMinutes()) + " idle min: "
        + (s.autoShutdownOnIdle() ? "drop cache and shut down" : "drop cache") + ")");
    CacheStatus cache = s.cache() == null ? new CacheStatus(false, null, null, null, null, null, null, 0, 0, 0) : s.cache();
    if (cache.loaded()) {
      out.printf(Locale.ROOT, "cache:         loaded: model %s, %s chunks in %s files, index %s (loaded in %.0f ms at %s)%n",
          text(cache.model(), "-"), orElse(cache.chunks(), "?"), orElse(cache.files(), "?"), text(cache.indexCommit(), "-"),
          cache.loadMs() == null ? 0 : cache.loadMs(), text(cache.loadedAt(), "-"));
    } else {
      out.println("cache:         empty (the next query loads the model and index)");
    }
    out.printf(Locale.ROOT, "               %d index load%s, %d model load%s, %d eviction%s%n",
        cache.indexLoads(), plural(cache.indexLoads()), cache.modelLoads(), plural(cache.modelLoads()),
        cache.evictions(), plural(cache.evictions()));
    if (s.indexing() != null) {
      out.println(indexing(s.indexing()));
    }
    String watch = watch(s.watch());
    if (watch != null) {
      out.println(watch);
    }
    out.printf(Locale.ROOT, "queries:       %d served, %d errors, latency p50 %s, p99 %s%n",
        s.queriesServed(), s.errors(), millis(s.queryP50Ms()), millis(s.queryP99Ms()));
    out.printf(Locale.ROOT, "memory:        %.1f MiB heap used of %.1f MiB committed%n",
        s.heapUsedMb(), s.heapCommittedMb());
    if (s.lastExpiryReason() != null) {
      out.println("last expiry:   " + TerminalText.line(s.lastExpiryReason()));
    }
  }

  /**
   * "indexing:      since 09:41:07 (embedding, 12 s), 3/22 files, 120/400 chunks embedded, 10.0 chunks/s,
   * ETA 28s; full-text search covers every file".
   */
  static String indexing(IndexProgressParams i) {
    IndexProgress.Snapshot p = new IndexProgress.Snapshot(IndexProgress.Phase.EMBEDDING, 0, i.filesToIndex(),
        i.filesDone(), i.chunksToEmbed(), i.chunksEmbedded(), i.elapsedSeconds(), i.textCommitted());
    return String.format(Locale.ROOT,
        "indexing:      since %s (%s%s, %s), %d/%d files, %d/%d chunks embedded, %.1f chunks/s, ETA %s%s",
        DaemonIndexing.localTime(i.startedAt()), text(i.phase(), "?"), i.clear() ? ", --clear" : "",
        duration(p.elapsedSeconds()), p.filesDone(), p.filesToIndex(), p.chunksEmbedded(), p.chunksToEmbed(),
        p.chunksPerSecond(), IndexProgressPrinter.eta(p), p.textCommitted() ? "; full-text search covers every file" : "");
  }

  /**
   * "watch:         on since 09:41:07 (debounce 2 s, 31 directories); 4 updates, last at 09:52:10: 1 file
   * indexed, 0 deleted, 3 chunks embedded (0.2 s)"; null when the daemon neither watches nor has updated.
   */
  static String watch(WatchStatus w) {
    if (w == null || (!w.active() && w.updates() == 0 && w.failures() == 0)) {
      return null;
    }
    StringBuilder line = new StringBuilder("watch:         ");
    if (w.active()) {
      line.append("on since ").append(DaemonIndexing.localTime(w.since())).append(" (debounce ")
          .append(w.debounceSeconds() == null ? "-" : number(w.debounceSeconds())).append(" s, ")
          .append(orElse(w.directories(), "-")).append(" directories)");
    } else {
      line.append("off");
    }
    line.append("; ").append(w.updates()).append(" update").append(plural(w.updates()));
    IndexResult last = w.lastUpdate();
    if (last != null) {
      line.append(String.format(Locale.ROOT, ", last at %s: %d files indexed, %d deleted, %d chunks embedded (%.1f s)",
          DaemonIndexing.localTime(w.lastUpdateAt()), last.filesIndexed(), last.filesDeleted(), last.chunksEmbedded(),
          last.seconds()));
    }
    if (w.updating()) {
      line.append("; updating now");
    } else if (w.pendingAll() || w.pendingPaths() > 0) {
      line.append("; changes pending");
    }
    if (w.lastError() != null) {
      line.append("; last error: ").append(TerminalText.line(w.lastError()));
    }
    return line.toString();
  }

  void printNotRunning(RepoPaths repo, boolean enabled) {
    String why = enabled ? "the next `cidx query` starts it" : "disabled in config.json: queries run standalone";
    out.println("daemon:        not running (" + why + ")");
    out.println("socket:        " + TerminalText.line(repo.socketPath().toString()) + (DaemonCommands.staleSocket(repo)
        ? " (stale: left by a daemon that died; the next daemon removes it)" : ""));
  }

  private static String millis(Double ms) {
    return ms == null ? "-" : String.format(Locale.ROOT, "%.1f ms", ms);
  }

  /** Text the daemon sent, made safe for a terminal; {@code missing} when it sent none. */
  private static String text(String s, String missing) {
    return s == null ? missing : TerminalText.line(s);
  }

  private static String orElse(Object value, String missing) {
    return value == null ? missing : String.valueOf(value);
  }

  private static String number(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static String plural(long n) {
    return n == 1 ? "" : "s";
  }

  static String duration(double seconds) {
    long s = (long) seconds;
    if (s < 60) {
      return String.format(Locale.ROOT, "%.1f s", seconds);
    }
    if (s < 3600) {
      return (s / 60) + " min " + (s % 60) + " s";
    }
    return (s / 3600) + " h " + (s % 3600 / 60) + " min";
  }
}
