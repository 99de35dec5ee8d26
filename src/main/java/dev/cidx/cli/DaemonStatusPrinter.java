package dev.cidx.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.config.RepoPaths;
import dev.cidx.index.IndexProgress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The daemon's status for people, as {@code cidx daemon status} and the daemon section of
 * {@code cidx status} print it. Reads the status as JSON (the {@code status} method's result), so a field
 * a newer daemon adds costs nothing here and a missing one prints as "-".
 */
final class DaemonStatusPrinter {
  private final PrintStream out;

  DaemonStatusPrinter(PrintStream out) {
    this.out = out;
  }

  void printRunning(JsonNode s) {
    out.printf(Locale.ROOT, "daemon:        running, pid %d (cidx %s, protocol %d), %s%n", s.path("pid").asLong(),
        TerminalText.line(s.path("version").asText("?")), s.path("protocol_version").asInt(),
        TerminalText.line(s.path("state").asText("?")));
    out.println("socket:        " + TerminalText.line(s.path("socket_path").asText("-")));
    out.println("uptime:        " + duration(s.path("uptime_seconds").asDouble()) + " (since "
        + s.path("started_at").asText("-") + ")");
    out.println("last access:   " + s.path("last_access").asText("-") + " (idle " + duration(s.path("idle_seconds").asDouble())
        + "; after " + number(s.path("ttl_minutes").asDouble()) + " idle min: "
        + (s.path("auto_shutdown_on_idle").asBoolean() ? "drop cache and shut down" : "drop cache") + ")");
    JsonNode cache = s.path("cache");
    if (cache.path("loaded").asBoolean()) {
      out.printf(Locale.ROOT, "cache:         loaded: model %s, %s chunks in %s files, index %s (loaded in %.0f ms at %s)%n",
          TerminalText.line(cache.path("model").asText("-")), cache.path("chunks").asText("?"), cache.path("files").asText("?"),
          TerminalText.line(cache.path("index_commit").asText("-")), cache.path("load_ms").asDouble(), cache.path("loaded_at").asText("-"));
    } else {
      out.println("cache:         empty (the next query loads the model and index)");
    }
    out.printf(Locale.ROOT, "               %d index load%s, %d model load%s, %d eviction%s%n",
        cache.path("index_loads").asLong(), plural(cache.path("index_loads").asLong()),
        cache.path("model_loads").asLong(), plural(cache.path("model_loads").asLong()),
        cache.path("evictions").asLong(), plural(cache.path("evictions").asLong()));
    JsonNode indexing = s.path("indexing");
    if (indexing.isObject()) {
      out.println(indexing(indexing));
    }
    String watch = watch(s.path("watch"));
    if (watch != null) {
      out.println(watch);
    }
    out.printf(Locale.ROOT, "queries:       %d served, %d errors, latency p50 %s, p99 %s%n",
        s.path("queries_served").asLong(), s.path("errors").asLong(), millis(s.path("query_p50_ms")),
        millis(s.path("query_p99_ms")));
    out.printf(Locale.ROOT, "memory:        %.1f MiB heap used of %.1f MiB committed%n",
        s.path("heap_used_mb").asDouble(), s.path("heap_committed_mb").asDouble());
    if (s.hasNonNull("last_expiry_reason")) {
      out.println("last expiry:   " + TerminalText.line(s.path("last_expiry_reason").asText()));
    }
  }

  /**
   * "indexing:      since 09:41:07 (embedding, 12 s), 3/22 files, 120/400 chunks embedded, 10.0 chunks/s,
   * ETA 28s; full-text search covers every file".
   */
  static String indexing(JsonNode i) {
    IndexProgress.Snapshot p = new IndexProgress.Snapshot(IndexProgress.Phase.EMBEDDING, 0,
        i.path("files_to_index").asInt(), i.path("files_done").asInt(), i.path("chunks_to_embed").asInt(),
        i.path("chunks_embedded").asInt(), i.path("elapsed_seconds").asDouble(), i.path("text_committed").asBoolean());
    return String.format(Locale.ROOT,
        "indexing:      since %s (%s%s, %s), %d/%d files, %d/%d chunks embedded, %.1f chunks/s, ETA %s%s",
        DaemonIndexing.localTime(i.path("started_at").asText()), i.path("phase").asText("?"),
        i.path("clear").asBoolean() ? ", --clear" : "", duration(p.elapsedSeconds()), p.filesDone(),
        p.filesToIndex(), p.chunksEmbedded(), p.chunksToEmbed(), p.chunksPerSecond(), IndexProgressPrinter.eta(p),
        p.textCommitted() ? "; full-text search covers every file" : "");
  }

  /**
   * "watch:         on since 09:41:07 (debounce 2 s, 31 directories); 4 updates, last at 09:52:10: 1 file
   * indexed, 0 deleted, 3 chunks embedded (0.2 s)"; null when the daemon neither watches nor has updated.
   */
  static String watch(JsonNode w) {
    if (!w.isObject() || (!w.path("active").asBoolean() && w.path("updates").asLong() == 0
        && w.path("failures").asLong() == 0)) {
      return null;
    }
    StringBuilder line = new StringBuilder("watch:         ");
    if (w.path("active").asBoolean()) {
      line.append("on since ").append(DaemonIndexing.localTime(w.path("since").asText())).append(" (debounce ")
          .append(number(w.path("debounce_seconds").asDouble())).append(" s, ").append(w.path("directories").asInt())
          .append(" directories)");
    } else {
      line.append("off");
    }
    long updates = w.path("updates").asLong();
    line.append("; ").append(updates).append(" update").append(plural(updates));
    JsonNode last = w.path("last_update");
    if (last.isObject()) {
      line.append(String.format(Locale.ROOT, ", last at %s: %d files indexed, %d deleted, %d chunks embedded (%.1f s)",
          DaemonIndexing.localTime(w.path("last_update_at").asText()), last.path("files_indexed").asInt(),
          last.path("files_deleted").asInt(), last.path("chunks_embedded").asInt(), last.path("seconds").asDouble()));
    }
    if (w.path("updating").asBoolean()) {
      line.append("; updating now");
    } else if (w.path("pending_all").asBoolean() || w.path("pending_paths").asInt() > 0) {
      line.append("; changes pending");
    }
    if (w.hasNonNull("last_error")) {
      line.append("; last error: ").append(TerminalText.line(w.path("last_error").asText()));
    }
    return line.toString();
  }

  void printNotRunning(RepoPaths repo, boolean enabled) {
    String why = enabled ? "the next `cidx query` starts it" : "disabled in config.json: queries run standalone";
    out.println("daemon:        not running (" + why + ")");
    out.println("socket:        " + TerminalText.line(repo.socketPath().toString()) + (DaemonCommands.staleSocket(repo)
        ? " (stale: left by a daemon that died; the next daemon removes it)" : ""));
  }

  private static String millis(JsonNode ms) {
    return ms.isNumber() ? String.format(Locale.ROOT, "%.1f ms", ms.asDouble()) : "-";
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
