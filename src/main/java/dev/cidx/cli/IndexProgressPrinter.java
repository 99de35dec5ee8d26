package dev.cidx.cli;

import dev.cidx.index.IndexProgress;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows indexing progress: a progress bar (files, chunks, chunks/s, ETA) on a terminal, a plain line
 * every few seconds otherwise, nothing with {@code --json}. Writes to stderr so stdout stays the result.
 */
abstract class IndexProgressPrinter implements IndexProgress, AutoCloseable {

  static IndexProgressPrinter forTerminal(Cli.Context ctx, boolean json) {
    if (json) {
      return new Silent();
    }
    return ctx.terminal().interactive() ? new Bar(ctx.err(), ctx.terminal().columns()) : new Lines(ctx.err());
  }

  @Override
  public abstract void close();

  /** Said once a run has committed full text and goes on embedding. */
  static final String TEXT_READY = "full-text search covers every file now (`cidx query --fts`); semantic search "
      + "fills in as chunks are embedded";

  static String eta(Snapshot p) {
    double rate = p.chunksPerSecond();
    int left = p.chunksToEmbed() - p.chunksEmbedded();
    if (rate <= 0 || left <= 0) {
      return "--";
    }
    long s = Math.round(left / rate);
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }

  private static final class Silent extends IndexProgressPrinter {
    @Override
    public void update(Snapshot progress) {}

    @Override
    public void close() {}
  }

  /** For logs and pipes: one line at most every five seconds, and one at the end. */
  private static final class Lines extends IndexProgressPrinter {
    private final PrintStream err;
    private long lastPrint;
    private Snapshot last;
    private int printedEmbedded;
    private boolean saidTextReady;

    Lines(PrintStream err) {
      this.err = err;
    }

    @Override
    public void update(Snapshot p) {
      last = p;
      if (p.textCommitted() && !saidTextReady) {
        saidTextReady = true;
        err.println(TEXT_READY);
      }
      long now = System.nanoTime();
      if (p.phase() == Phase.CHUNKING && now - lastPrint > 5_000_000_000L) {
        lastPrint = now;
        err.printf("indexing: %d/%d files chunked for full-text search%n", p.filesDone(), p.filesToIndex());
      } else if (p.phase() == Phase.EMBEDDING && now - lastPrint > 5_000_000_000L) {
        lastPrint = now;
        print(p);
      }
    }

    private void print(Snapshot p) {
      printedEmbedded = p.chunksEmbedded();
      err.printf("indexing: %d/%d files, %d/%d chunks embedded, %.1f chunks/s, ETA %s%n", p.filesDone(),
          p.filesToIndex(), p.chunksEmbedded(), p.chunksToEmbed(), p.chunksPerSecond(), eta(p));
    }

    @Override
    public void close() {
      if (last != null && lastPrint != 0 && last.chunksEmbedded() > printedEmbedded) {
        print(last);
      }
      last = null;
    }
  }

  /** The bar counts chunks to embed; its extra message counts files. */
  private static final class Bar extends IndexProgressPrinter {
    private final PrintStream err;
    private final int columns;
    private ProgressBar bar;

    Bar(PrintStream err, int columns) {
      this.err = err;
      this.columns = columns;
    }

    @Override
    public void update(Snapshot p) {
      if (p.phase() == Phase.SCANNING || p.chunksToEmbed() == 0) {
        return;
      }
      if (bar == null) {
        bar = new ProgressBarBuilder()
            .setTaskName("Indexing")
            .setUnit(" chunks", 1)
            .showSpeed()
            .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
            .setConsumer(new ConsoleProgressBarConsumer(err, Math.max(40, columns - 1)))
            .setUpdateIntervalMillis(250)
            .continuousUpdate()
            .build();
      }
      bar.maxHint(p.chunksToEmbed());
      bar.stepTo(p.chunksEmbedded());
      String files = p.filesDone() + "/" + p.filesToIndex() + " files";
      bar.setExtraMessage(p.phase() == Phase.CHUNKING ? files + " chunked"
          : p.textCommitted() ? files + ", full text searchable" : files);
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
        bar = null;
      }
    }
  }
}
