package dev.cidx.cli;

import dev.cidx.client.DaemonControl;
import dev.cidx.config.CidxConfig;
import dev.cidx.embed.EmbeddingIdentity;
import dev.cidx.embed.Embedders;
import dev.cidx.config.RepoPaths;
import dev.cidx.index.CommitInfo;
import dev.cidx.index.IndexMissingException;
import dev.cidx.index.IndexSnapshot;
import dev.cidx.protocol.Messages.StatusResult;
import dev.cidx.protocol.RepoStatus;
import dev.cidx.protocol.RepoStatus.DaemonSection;
import dev.cidx.protocol.RepoStatus.IndexSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.Locale;
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
    Optional<StatusResult> daemon = DaemonControl.status(repo);
    RepoStatus status = report(repo, config, daemon);
    PrintStream out = root.context().out();
    if (json) {
      out.println(Json.write(status));
      return Cli.FOUND;
    }
    out.println("repository:    " + TerminalText.line(repo.root().toString()));
    IndexSummary index = status.index();
    if (!index.indexed()) {
      out.println("index:         none yet (run `cidx index`)");
      out.println("model:         " + TerminalText.line(modelLine(Embedders.identity(config))));
    } else {
      printIndex(out, index, config);
    }
    DaemonStatusPrinter printer = new DaemonStatusPrinter(out);
    if (daemon.isPresent()) {
      printer.printRunning(daemon.get());
    } else {
      printer.printNotRunning(repo, config.daemon().enabled());
    }
    if (status.foregroundWatchPid() != null) {
      out.println("watch:         `cidx watch` in the foreground, pid " + status.foregroundWatchPid()
          + " (`cidx watch-stop` ends it)");
    }
    return Cli.FOUND;
  }

  /** What {@code --json} prints (and the MCP server's {@code index_status} returns); asks a running daemon. */
  static RepoStatus report(RepoPaths repo, CidxConfig config) throws IOException {
    return report(repo, config, DaemonControl.status(repo));
  }

  private static RepoStatus report(RepoPaths repo, CidxConfig config, Optional<StatusResult> daemon)
      throws IOException {
    EmbeddingIdentity configured = Embedders.identity(config);
    long cacheBytes = Files.isRegularFile(repo.embeddingCacheFile()) ? Files.size(repo.embeddingCacheFile()) : 0;
    IndexSummary index;
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      CommitInfo c = snapshot.commit();
      index = new IndexSummary(true, c.files(), c.chunks(), c.embeddedChunks(), c.semanticCoverage(), c.provider(),
          c.model(), c.dimension(), c.indexedAt().toString(), snapshot.sizeOnDisk(), cacheBytes);
    } catch (IndexMissingException e) {
      index = IndexSummary.none(cacheBytes);
    }
    boolean enabled = config.daemon().enabled();
    DaemonSection section = daemon.<DaemonSection>map(s -> new RepoStatus.Running(enabled, s))
        .orElseGet(() -> new RepoStatus.Absent(enabled, DaemonCommands.notRunning(repo)));
    OptionalLong foregroundWatch = ForegroundWatch.running(repo);
    return new RepoStatus(repo.root().toString(), configured.provider(), configured.model(), index, section,
        foregroundWatch.isPresent() ? foregroundWatch.getAsLong() : null);
  }

  private static void printIndex(PrintStream out, IndexSummary index, CidxConfig config) {
    out.printf(Locale.ROOT, "files:         %d%n", index.files());
    int chunks = index.chunks();
    int embedded = index.embeddedChunks();
    out.printf(Locale.ROOT, "chunks:        %d%s%n", chunks, embedded == chunks ? ""
        : String.format(Locale.ROOT, " (%d with vectors: semantic search covers %d %%, full text all)", embedded,
            (int) Math.floor(100.0 * embedded / chunks)));
    EmbeddingIdentity indexed = new EmbeddingIdentity(index.provider(), index.model(), index.dimension());
    EmbeddingIdentity configured = Embedders.identity(config);
    out.println("model:         " + TerminalText.line(modelLine(indexed) + (indexed.equals(configured)
        ? "" : " (config.json asks for " + modelLine(configured) + ": run `cidx index --clear`)")));
    out.println("index size:    " + human(index.sizeBytes()) + " (+ " + human(index.embeddingCacheBytes())
        + " embedding cache)");
    out.println("last indexed:  " + index.lastIndexed());
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
