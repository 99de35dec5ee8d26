package dev.cidx.cli;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.EmbeddingModel;
import dev.cidx.embed.OnnxEmbedder;
import dev.cidx.index.IndexException;
import dev.cidx.index.IndexRun;
import dev.cidx.index.Indexer;
import dev.cidx.embed.LazyEmbedder;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code cidx index}: brings the index up to date, embedding only what changed. */
@Command(name = "index", description = "Index the repository (incremental; --clear rebuilds from scratch).")
final class IndexCommand implements Callable<Integer> {
  @ParentCommand
  RootCommand root;

  @Option(names = "--clear", description = "Drop the index and its embedding cache, then rebuild from scratch.")
  boolean clear;

  @Option(names = "--json", description = "Print one JSON object with the run's counts when done.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    RepoPaths repo = root.repo();
    CidxConfig config = root.config(repo);
    EmbeddingModel model = EmbeddingModel.byName(config.embeddingModel());
    Cli.Context ctx = root.context();
    AtomicBoolean cancelled = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    // Ctrl+C: ask the run to stop and give it time to roll back; the last commit stays in service and
    // the embeddings already flushed are reused by the next run.
    Thread onInterrupt = new Thread(() -> {
      cancelled.set(true);
      try {
        finished.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "cidx-index-interrupt");
    boolean hooked = !ctx.insideDaemon();
    if (hooked) {
      Runtime.getRuntime().addShutdownHook(onInterrupt);
    }
    try (LazyEmbedder embedder = new LazyEmbedder(model, OnnxEmbedder::open);
        IndexProgressPrinter printer = IndexProgressPrinter.forTerminal(ctx, json)) {
      IndexRun run = new Indexer(repo, config, () -> embedder).run(clear, printer, cancelled::get);
      printer.close();
      if (json) {
        ctx.out().println(Json.write(run));
      } else if (run.cancelled()) {
        ctx.err().printf("cancelled: the last committed index is unchanged; %d chunks embedded so far will be reused%n",
            run.chunksEmbedded());
      } else {
        ctx.out().printf("%d files scanned, %d indexed, %d deleted: %d chunks in the index, %d embedded, %d reused (%.1f s)%n",
            run.filesScanned(), run.filesIndexed(), run.filesDeleted(), run.chunksTotal(), run.chunksEmbedded(),
            run.chunksReused(), run.seconds());
      }
      return run.cancelled() ? Cli.ERROR : Cli.FOUND;
    } catch (IndexException e) {
      throw new UserError(e.getMessage(), e);
    } finally {
      finished.countDown();
      if (hooked) {
        try {
          Runtime.getRuntime().removeShutdownHook(onInterrupt);
        } catch (IllegalStateException e) {
          // the JVM is already shutting down (Ctrl+C): the hook is running and has been released
        }
      }
    }
  }
}
