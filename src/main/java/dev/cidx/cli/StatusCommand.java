package dev.cidx.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.client.DaemonControl;
import dev.cidx.config.CidxConfig;
import dev.cidx.embed.EmbeddingIdentity;
import dev.cidx.embed.Embedders;
import dev.cidx.config.RepoPaths;
import dev.cidx.index.CommitInfo;
import dev.cidx.index.IndexMissingException;
import dev.cidx.index.IndexSnapshot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code cidx status}: what is indexed, with which model, how big, and since when; and the daemon, whether
 * or not one is running (it is asked over its socket, never started).
 */
@Command(name = "status", description = "Show the repository's index (files, chunks, model, size, last indexed) and its daemon.")
final class StatusCommand implements Callable<Integer> {
  @ParentCommand
  RootCommand root;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    RepoPaths repo = root.repo();
    CidxConfig config = root.config(repo);
    Optional<JsonNode> daemon = DaemonControl.statusJson(repo);
    Map<String, Object> status = report(repo, config, daemon);
    @SuppressWarnings("unchecked")
    Map<String, Object> index = (Map<String, Object>) status.get("index");
    long cacheBytes = (Long) index.get("embedding_cache_bytes");
    boolean enabled = config.daemon().enabled();
    OptionalLong foregroundWatch = ForegroundWatch.running(repo);
    PrintStream out = root.context().out();
    if (json) {
      out.println(Json.write(status));
      return Cli.FOUND;
    }
    out.println("repository:    " + TerminalText.line(repo.root().toString()));
    if (!(Boolean) index.get("indexed")) {
      out.println("index:         none yet (run `cidx index`)");
      out.println("model:         " + TerminalText.line(modelLine(Embedders.identity(config))));
    } else {
      printIndex(out, index, config, cacheBytes);
    }
    DaemonStatusPrinter printer = new DaemonStatusPrinter(out);
    if (daemon.isPresent()) {
      printer.printRunning(daemon.get());
    } else {
      printer.printNotRunning(repo, enabled);
    }
    if (foregroundWatch.isPresent()) {
      out.println("watch:         `cidx watch` in the foreground, pid " + foregroundWatch.getAsLong()
          + " (`cidx watch-stop` ends it)");
    }
    return Cli.FOUND;
  }

  /** What {@code --json} prints (and the MCP server's {@code index_status} returns); asks a running daemon. */
  static Map<String, Object> report(RepoPaths repo, CidxConfig config) throws IOException {
    return report(repo, config, DaemonControl.statusJson(repo));
  }

  private static Map<String, Object> report(RepoPaths repo, CidxConfig config, Optional<JsonNode> daemon)
      throws IOException {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("repository", repo.root().toString());
    EmbeddingIdentity configured = Embedders.identity(config);
    status.put("provider", configured.provider());
    status.put("model", configured.model());
    Map<String, Object> index = new LinkedHashMap<>();
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      CommitInfo c = snapshot.commit();
      index.put("indexed", true);
      index.put("files", c.files());
      index.put("chunks", c.chunks());
      index.put("embedded_chunks", c.embeddedChunks());
      index.put("semantic_coverage", c.semanticCoverage());
      index.put("provider", c.provider());
      index.put("model", c.model());
      index.put("dimension", c.dimension());
      index.put("last_indexed", c.indexedAt().toString());
      index.put("size_bytes", snapshot.sizeOnDisk());
    } catch (IndexMissingException e) {
      index.put("indexed", false);
    }
    long cacheBytes = Files.isRegularFile(repo.embeddingCacheFile()) ? Files.size(repo.embeddingCacheFile()) : 0;
    index.put("embedding_cache_bytes", cacheBytes);
    status.put("index", index);
    status.put("daemon", daemonSection(repo, daemon, config.daemon().enabled()));
    OptionalLong foregroundWatch = ForegroundWatch.running(repo);
    status.put("foreground_watch_pid", foregroundWatch.isPresent() ? foregroundWatch.getAsLong() : null);
    return status;
  }

  /** The daemon's own status with {@code enabled} (from config.json) first, or what is known without one. */
  private static Map<String, Object> daemonSection(RepoPaths repo, Optional<JsonNode> daemon, boolean enabled) {
    Map<String, Object> section = new LinkedHashMap<>();
    section.put("enabled", enabled);
    if (daemon.isPresent()) {
      daemon.get().fields().forEachRemaining(f -> section.put(f.getKey(), f.getValue()));
    } else {
      section.putAll(DaemonCommands.notRunning(repo));
    }
    return section;
  }

  private static void printIndex(PrintStream out, Map<String, Object> index, CidxConfig config, long cacheBytes) {
    out.printf(Locale.ROOT, "files:         %d%n", (Integer) index.get("files"));
    int chunks = (Integer) index.get("chunks");
    int embedded = (Integer) index.get("embedded_chunks");
    out.printf(Locale.ROOT, "chunks:        %d%s%n", chunks, embedded == chunks ? ""
        : String.format(Locale.ROOT, " (%d with vectors: semantic search covers %d %%, full text all)", embedded,
            (int) Math.floor(100.0 * embedded / chunks)));
    EmbeddingIdentity indexed = new EmbeddingIdentity((String) index.get("provider"), (String) index.get("model"),
        (Integer) index.get("dimension"));
    EmbeddingIdentity configured = Embedders.identity(config);
    out.println("model:         " + TerminalText.line(modelLine(indexed) + (indexed.equals(configured)
        ? "" : " (config.json asks for " + modelLine(configured) + ": run `cidx index --clear`)")));
    out.println("index size:    " + human((Long) index.get("size_bytes")) + " (+ " + human(cacheBytes)
        + " embedding cache)");
    out.println("last indexed:  " + index.get("last_indexed"));
  }

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double v = bytes;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** "bge-small-en-v1.5" for the local model, "openai text-embedding-3-small (1536 dimensions)" for a provider. */
  private static String modelLine(EmbeddingIdentity id) {
    return id.provider().equals(EmbeddingIdentity.LOCAL) ? id.model()
        : id.provider() + " " + id.model() + " (" + id.dimension() + " dimensions)";
  }
}
