package dev.cidx.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.cidx.config.CidxConfig;
import dev.cidx.config.PrivateFiles;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedders;
import dev.cidx.embed.LazyEmbedder;
import dev.cidx.index.FileScanner;
import dev.cidx.index.IndexProgress;
import dev.cidx.index.IndexScope;
import dev.cidx.index.Indexer;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.watch.TreeWatcher;
import dev.cidx.watch.UpdateQueue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code cidx watch} in this process: brings the index up to date (with the same progress as
 * {@code cidx index}), then indexes each burst of changes once it has been quiet for the debounce, printing
 * a line per update, until Ctrl+C or {@code cidx watch-stop}. The model is loaded at the first file to
 * embed and kept while watching.
 *
 * <p>{@code .code-indexer/watch.lock}, locked while this runs and holding its pid, keeps a second
 * foreground watch of the repository out and lets {@code cidx watch-stop} find this one.
 */
final class ForegroundWatch {
  private static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
  private static final String LOCK_FILE = "watch.lock";

  private final RepoPaths repo;
  private final CidxConfig config;
  private final Cli.Context ctx;
  private final Duration debounce;
  private final boolean json;

  ForegroundWatch(RepoPaths repo, CidxConfig config, Cli.Context ctx, Duration debounce, boolean json) {
    this.repo = repo;
    this.config = config;
    this.ctx = ctx;
    this.debounce = debounce;
    this.json = json;
  }

  int run() throws IOException, InterruptedException {
    PrivateFiles.directory(repo.dataDir());
    try (FileChannel lockChannel = PrivateFiles.open(lockFile(repo), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         FileLock lock = lockChannel.tryLock()) {
      if (lock == null) {
        OptionalLong pid = holderPid(repo);
        throw new UserError("`cidx watch` is already running for " + repo.root()
            + (pid.isPresent() ? " (pid " + pid.getAsLong() + ")" : "") + "; `cidx watch-stop` ends it");
      }
      lockChannel.truncate(0);
      lockChannel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
      return watch();
    }
  }

  private int watch() throws IOException, InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    try (LazyEmbedder embedder = Embedders.lazy(config)) {
      IndexProgressPrinter firstRun = IndexProgressPrinter.forTerminal(ctx, json);
      boolean[] caughtUp = {false};
      UpdateQueue queue = new UpdateQueue("cidx-updates", (scope, cancelled) -> {
        IndexProgress progress = caughtUp[0] ? IndexProgress.NONE : firstRun;
        return new Indexer(repo, config, () -> embedder).run(scope, progress, cancelled);
      }, new UpdateQueue.Listener() {
        @Override
        public void updated(IndexScope scope, IndexResult run) {
          if (!caughtUp[0]) {
            caughtUp[0] = true;
            firstRun.close();
          }
          report(scope, run);
        }

        @Override
        public void failed(IndexScope scope, Exception e) {
          ctx.err().println("cidx: " + TerminalText.line(e.getMessage()) + " (retrying)");
        }
      });
      TreeWatcher watcher = TreeWatcher.start(repo.root(), TreeWatcher.Filter.of(new FileScanner(repo, config)),
          new TreeWatcher.Listener() {
            @Override
            public void changed(IndexScope scope) {
              queue.add(scope, debounce);
            }

            @Override
            public void failed(String message) {
              ctx.err().println("cidx: " + TerminalText.line(message));
            }
          });
      if (!json) {
        ctx.err().println("watching " + repo.root() + " (" + watcher.directoryCount() + " directories, debounce "
            + WatchCommand.format(debounce.toMillis() / 1000.0) + " s); Ctrl+C or `cidx watch-stop` ends it");
      }
      queue.add(IndexScope.ALL, Duration.ZERO); // what changed while nobody watched
      // Ctrl+C or SIGTERM (`cidx watch-stop`): stop watching, let a running update roll back, then exit.
      Thread hook = new Thread(() -> {
        watcher.close();
        queue.close();
        try {
          queue.awaitClosed(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ctx.err().println("stopped watching " + repo.root());
        ctx.err().flush();
        stopped.countDown();
      }, "cidx-watch-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      stopped.await();
      return Cli.FOUND;
    }
  }

  /** One {@code --json} line per update: when, which paths (null: the whole repository), and the run. */
  record Update(
      @JsonProperty("at") String at,
      @JsonProperty("paths") Set<String> paths,
      @JsonUnwrapped IndexResult run) {}

  private void report(IndexScope scope, IndexResult run) {
    if (run.cancelled()) {
      return; // stopping
    }
    if (!run.committed() && !run.cancelled() && run.filesDeleted() == 0 && run.filesIndexed() == 0) {
      if (!json && scope.isWholeRepository()) {
        ctx.out().printf("%s up to date: %d files, %d chunks%n", now(), run.filesScanned(), run.chunksTotal());
      }
      return; // nothing changed: an editor's temporary file, a touch
    }
    if (json) {
      ctx.out().println(Json.writeLine(new Update(java.time.Instant.now().toString(),
          scope.isWholeRepository() ? null : scope.paths(), run.withVia(IndexResult.VIA_STANDALONE))));
    } else {
      ctx.out().printf(Locale.ROOT, "%s updated %s: %d files indexed, %d deleted, %d chunks embedded, %d reused (%.1f s)%n",
          now(), TerminalText.line(scope.describe()), run.filesIndexed(), run.filesDeleted(), run.chunksEmbedded(), run.chunksReused(), run.seconds());
    }
    ctx.out().flush();
  }

  private static String now() {
    return LocalTime.now().format(HH_MM_SS);
  }

  private static Path lockFile(RepoPaths repo) {
    return repo.dataDir().resolve(LOCK_FILE);
  }

  /** The pid of a foreground watch of this repository, if one runs. */
  static OptionalLong running(RepoPaths repo) {
    Path file = lockFile(repo);
    if (!Files.exists(file)) {
      return OptionalLong.empty();
    }
    try (FileChannel channel = PrivateFiles.open(file, StandardOpenOption.WRITE);
         FileLock lock = channel.tryLock()) {
      return lock != null ? OptionalLong.empty() : holderPid(repo);
    } catch (NoSuchFileException e) {
      return OptionalLong.empty();
    } catch (IOException e) {
      return OptionalLong.empty(); // e.g. read-only: nobody can be watching with a lock there either
    }
  }

  /** Asks a running foreground watch to stop (SIGTERM, like Ctrl+C) and waits for it; its pid, or empty. */
  static OptionalLong stopRunning(RepoPaths repo) {
    OptionalLong pid = running(repo);
    if (pid.isEmpty()) {
      return pid;
    }
    ProcessHandle.of(pid.getAsLong()).ifPresent(p -> {
      p.destroy();
      try {
        p.onExit().get(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        // still going: it was asked; the caller reports the pid
      }
    });
    return pid;
  }

  private static OptionalLong holderPid(RepoPaths repo) {
    try {
      String text = Files.readString(lockFile(repo), StandardCharsets.US_ASCII).trim();
      return text.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
