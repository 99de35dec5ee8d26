package dev.cidx.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cidx.client.DaemonControl;
import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedders;
import dev.cidx.embed.LazyEmbedder;
import dev.cidx.index.IndexException;
import dev.cidx.index.Indexer;
import dev.cidx.protocol.Messages.IndexCancelResult;
import dev.cidx.protocol.Messages.IndexProgressParams;
import dev.cidx.protocol.Messages.IndexResult;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code cidx index}: brings the index up to date, embedding only what changed.
 *
 * <p>With the daemon enabled (and no {@code --no-daemon} / {@code CIDX_NO_DAEMON=1}) the run happens in the
 * daemon ({@link DaemonIndexing}): one writer per repository, with the model it already holds, while it
 * keeps answering queries from the last commit. Otherwise, and when no daemon can be reached, it runs in
 * this process. Both print the same progress and the same result ({@code via} says where it ran).
 */
@Command(name = "index", description = "Index the repository (incremental; --clear rebuilds from scratch).")
final class IndexCommand implements Callable<Integer> {
  @ParentCommand
  RootCommand root;

  @Option(names = "--clear", description = "Drop the index and its embedding cache, then rebuild from scratch.")
  boolean clear;

  @Option(names = "--json", description = "Print one JSON object with the run's counts when done.")
  boolean json;

  @Option(names = "--no-daemon", description = "Index in this process even if the daemon is enabled (also CIDX_NO_DAEMON=1).")
  boolean noDaemon;

  @Option(names = "--background", description = "Return once full-text search covers every file and leave the "
      + "embedding to the daemon (`cidx status` shows it, `cidx index --cancel` stops it).")
  boolean background;

  @Option(names = "--cancel", description = "Stop the index run going on in the daemon, whoever started it.")
  boolean cancel;

  @Override
  public Integer call() throws IOException {
    RepoPaths repo = root.repo();
    CidxConfig config = root.config(repo);
    Cli.Context ctx = root.context();
    if (ctx.insideDaemon()) {
      // The daemon indexes through its `index` method, as the one writer; a forwarded command line
      // would be a second one.
      throw new UserError("`cidx index` cannot run inside the daemon; run it in your shell");
    }
    if (cancel) {
      return cancel(repo, ctx);
    }
    boolean viaDaemon = config.daemon().enabled() && !noDaemon && !"1".equals(ctx.env().get("CIDX_NO_DAEMON"));
    try (IndexProgressPrinter printer = IndexProgressPrinter.forTerminal(ctx, json)) {
      if (viaDaemon) {
        DaemonIndexing daemon = new DaemonIndexing(repo, config.daemon(), ctx.err());
        Optional<DaemonIndexing.Outcome> outcome = whileInterruptible(daemon::interrupt,
            () -> daemon.run(clear, background, printer));
        if (outcome.isPresent()) {
          printer.close();
          if (outcome.get() instanceof DaemonIndexing.Outcome.Done done) {
            return print(ctx, done.result());
          }
          if (outcome.get() instanceof DaemonIndexing.Outcome.Backgrounded left) {
            return printBackgrounded(ctx, left.progress());
          }
          return ((DaemonIndexing.Outcome.Failed) outcome.get()).exitCode();
        }
      }
      if (background) {
        ctx.err().println("cidx: --background needs the daemon; indexing in this process instead");
      }
      return standalone(repo, config, ctx, printer);
    } catch (IndexException e) {
      throw new UserError(e.getMessage(), e);
    }
  }

  private int standalone(RepoPaths repo, CidxConfig config, Cli.Context ctx, IndexProgressPrinter printer)
      throws IOException, IndexException {
    AtomicBoolean cancelled = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    // Ctrl+C: ask the run to stop and give it time to roll back; the last commit stays in service and
    // the embeddings already flushed are reused by the next run.
    Runnable onInterrupt = () -> {
      cancelled.set(true);
      try {
        finished.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    try (LazyEmbedder embedder = Embedders.lazy(config)) {
      IndexResult run = whileInterruptible(onInterrupt,
          () -> new Indexer(repo, config, () -> embedder).run(clear, printer, cancelled::get));
      printer.close();
      if (run.cancelled() && !json) {
        ctx.err().printf(run.committed()
            ? "cancelled: full-text search covers every file; %d chunks were embedded, and the next `cidx index` "
                + "embeds the rest%n"
            : "cancelled: the last committed index is unchanged; %d chunks embedded so far will be reused%n",
            run.chunksEmbedded());
        return Cli.ERROR;
      }
      return print(ctx, run.withVia(IndexResult.VIA_STANDALONE));
    } finally {
      finished.countDown();
    }
  }

  /** {@code --cancel}: asks the daemon to stop its run; exit 1 when there was none to stop. */
  private int cancel(RepoPaths repo, Cli.Context ctx) {
    Optional<IndexCancelResult> answer = DaemonControl.cancelIndex(repo);
    if (answer.isEmpty()) {
      ctx.err().println("cidx: no daemon runs for this repository; a `cidx index` in the foreground stops with Ctrl+C");
      return Cli.NOT_FOUND;
    }
    if (!answer.get().cancelled()) {
      ctx.err().println("cidx: no index run is going");
      return Cli.NOT_FOUND;
    }
    ctx.err().println("cidx: cancelled the index run " + answer.get().run() + "; what it committed stays in service "
        + "and the chunks embedded so far will be reused");
    return Cli.FOUND;
  }

  /**
   * What {@code cidx index --background --json} prints when it leaves the run to the daemon: where the run
   * stood, full text committed, vectors still coming.
   */
  record Backgrounded(
      @JsonProperty("via") String via,
      @JsonProperty("background") boolean background,
      @JsonProperty("text_committed") boolean textCommitted,
      @JsonProperty("chunks_to_embed") int chunksToEmbed,
      @JsonProperty("chunks_embedded") int chunksEmbedded) {}

  /** Where a {@code --background} run stood when this client left it to the daemon. */
  private int printBackgrounded(Cli.Context ctx, IndexProgressParams progress) {
    if (json) {
      ctx.out().println(Json.write(new Backgrounded(IndexResult.VIA_DAEMON, true, true, progress.chunksToEmbed(),
          progress.chunksEmbedded())));
    } else {
      ctx.err().printf("full-text search covers every file; the daemon goes on embedding %d chunks in the background "
          + "(`cidx status` shows it, `cidx index --cancel` stops it)%n", progress.chunksToEmbed() - progress.chunksEmbedded());
    }
    return Cli.FOUND;
  }

  /** The same result lines whichever way the run went; exit 2 for a cancelled run. */
  private int print(Cli.Context ctx, IndexResult run) {
    if (json) {
      ctx.out().println(Json.write(run));
    } else {
      ctx.out().printf("%d files scanned, %d indexed, %d deleted: %d chunks in the index, %d embedded, %d reused (%.1f s)%n",
          run.filesScanned(), run.filesIndexed(), run.filesDeleted(), run.chunksTotal(), run.chunksEmbedded(),
          run.chunksReused(), run.seconds());
    }
    return run.cancelled() ? Cli.ERROR : Cli.FOUND;
  }

  /** An action that may throw what the indexer throws. */
  private interface Action<T> {
    T run() throws IOException, IndexException;
  }

  /** Runs {@code action} with {@code onInterrupt} as a shutdown hook (Ctrl+C, SIGTERM) meanwhile. */
  private static <T> T whileInterruptible(Runnable onInterrupt, Action<T> action) throws IOException, IndexException {
    Thread hook = new Thread(onInterrupt, "cidx-index-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return action.run();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down (Ctrl+C): the hook is running
      }
    }
  }
}
