package dev.cidx.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.client.DaemonClient;
import dev.cidx.client.DaemonRpcException;
import dev.cidx.client.DaemonStarter;
import dev.cidx.client.DaemonUnavailableException;
import dev.cidx.client.DaemonWritingException;
import dev.cidx.config.DaemonSettings;
import dev.cidx.config.RepoPaths;
import dev.cidx.config.UnsafePathException;
import dev.cidx.index.IndexProgress;
import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.Messages.IndexParams;
import dev.cidx.protocol.Messages.IndexProgressParams;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.protocol.Methods;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code cidx index} through the daemon: starts the daemon if needed ({@link DaemonStarter}), sends
 * {@code index} and shows each {@code progress} notification with the same {@link IndexProgressPrinter}
 * as a standalone run. Empty when no daemon can be reached before the run began: the caller then says so
 * in one line and indexes standalone.
 *
 * <p>Ctrl+C closes the connection; the daemon notices at its next progress notification (within a
 * quarter of a second). A run this client started is cancelled and rolls back to its last commit; a run
 * it only followed goes on. With {@code background}, the client leaves by itself as soon as full text is
 * committed (or the run ends), and the daemon goes on embedding.
 */
final class DaemonIndexing {
  private static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
  /** How often the progress of an old daemon's run is asked for, as often as the daemon sends its own. */
  private static final Duration OLD_RUN_POLL = Duration.ofMillis(250);

  /** What the daemon path ended with: a result, or an exit code after a message already printed. */
  sealed interface Outcome {
    record Done(IndexResult result) implements Outcome {}

    record Failed(int exitCode) implements Outcome {}

    /** Left the run to the daemon once full text was committed; {@code progress} is where it stood. */
    record Backgrounded(IndexProgressParams progress) implements Outcome {}
  }

  private final RepoPaths repo;
  private final DaemonSettings settings;
  private final PrintStream err;
  private volatile DaemonClient client;
  private volatile boolean interrupted;
  /** True while watching another version's daemon finish its run (it is not ours to cancel). */
  private volatile boolean waitingForOldRun;
  private boolean progressSeen;
  /** Following a run another client started: Ctrl+C leaves it running. */
  private volatile boolean follower;
  private boolean background;
  /** The progress at which a background client left, once it has. */
  private volatile IndexProgressParams leftAt;

  DaemonIndexing(RepoPaths repo, DaemonSettings settings, PrintStream err) {
    this.repo = repo;
    this.settings = settings;
    this.err = err;
  }

  /**
   * Runs the index in the daemon; empty when no daemon could be reached (nothing was started there). A
   * daemon of another version that is running an index is left to finish, its progress shown, then
   * replaced; one that watches is left running, and the caller indexes standalone.
   */
  Optional<Outcome> run(boolean clear, boolean background, IndexProgress progress) {
    this.background = background;
    while (true) {
      try {
        return attempt(clear, progress);
      } catch (DaemonWritingException e) {
        if (interrupted) {
          return Optional.of(new Outcome.Failed(Cli.ERROR));
        }
        err.println("cidx: " + e.getMessage() + "; waiting for its run to end, then indexing here");
        waitingForOldRun = true;
        followOldRun(progress);
        waitingForOldRun = false;
        if (interrupted) {
          return Optional.of(new Outcome.Failed(Cli.ERROR));
        }
      }
    }
  }

  /** One try; a {@link DaemonWritingException} for an old daemon's index run, which the caller waits out. */
  private Optional<Outcome> attempt(boolean clear, IndexProgress progress) throws DaemonWritingException {
    try (DaemonClient c = new DaemonStarter(repo, settings, Launcher.daemonCommand(repo)).connect()) {
      client = c;
      if (interrupted) {
        return Optional.of(new Outcome.Failed(Cli.ERROR));
      }
      IndexResult result = c.index(new IndexParams(clear, background), (method, params) -> {
        if (Methods.PROGRESS.equals(method) && params instanceof Map<?, ?> map) {
          IndexProgressParams p = read(map);
          if (p != null) {
            onProgress(p, progress);
          }
        }
      });
      return Optional.of(new Outcome.Done(result));
    } catch (DaemonRpcException e) {
      err.println("cidx: " + TerminalText.line(e.getMessage()));
      return Optional.of(new Outcome.Failed(Cli.ERROR));
    } catch (DaemonUnavailableException e) {
      if (leftAt != null) {
        return Optional.of(new Outcome.Backgrounded(leftAt)); // we closed the connection ourselves
      }
      if (interrupted) {
        return Optional.of(new Outcome.Failed(Cli.ERROR)); // we closed the connection ourselves
      }
      if (e instanceof DaemonWritingException w && w.indexing()) {
        throw w;
      }
      String problem = Launcher.firstLine(e.getMessage());
      if (progressSeen) {
        // Indexing again here would only race a daemon that may still be writing.
        err.println("cidx: daemon lost during indexing (" + TerminalText.line(problem) + "); see " + repo.logFile()
            + "; the last committed index is unchanged");
        return Optional.of(new Outcome.Failed(Cli.ERROR));
      }
      err.println("cidx: daemon unavailable (" + TerminalText.line(problem) + "); running standalone");
      String details = Launcher.afterFirstLine(e.getMessage()); // the end of daemon.log, as for a query
      if (!details.isEmpty()) {
        err.println(TerminalText.lines(details));
      }
      return Optional.empty();
    } catch (UnsafePathException e) {
      if (e.use() == UnsafePathException.Use.WRITE) {
        throw e; // a planted link: the command stops, with one line
      }
      err.println("cidx: " + TerminalText.line(Launcher.firstLine(e.getMessage())) + "; running standalone");
      return Optional.empty();
    } catch (RuntimeException e) {
      if (leftAt != null) {
        return Optional.of(new Outcome.Backgrounded(leftAt));
      }
      if (interrupted) {
        return Optional.of(new Outcome.Failed(Cli.ERROR)); // e.g. the selector we closed under the read
      }
      throw e;
    }
  }

  /**
   * Shows the progress of the old daemon's run from its {@code status} until it has none (or the daemon
   * is gone): its run is another client's, so it is watched, not followed, and never cancelled from here.
   */
  private void followOldRun(IndexProgress progress) {
    while (!interrupted) {
      try (DaemonClient c = DaemonClient.connect(repo.socketPath())) {
        client = c;
        JsonNode indexing = c.call(Methods.STATUS, null, Duration.ofSeconds(10)).path("indexing");
        IndexProgressParams p = indexing.isObject() ? read(indexing) : null;
        if (p == null) {
          return;
        }
        showProgress(p, progress);
      } catch (DaemonUnavailableException | DaemonRpcException e) {
        return; // gone, or stopping: the next attempt starts a daemon of this version
      } finally {
        client = null;
      }
      try {
        Thread.sleep(OLD_RUN_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void showProgress(IndexProgressParams p, IndexProgress progress) {
    IndexProgress.Phase phase = phase(p);
    if (phase != null) {
      progress.update(new IndexProgress.Snapshot(phase, p.filesScanned(), p.filesToIndex(), p.filesDone(),
          p.chunksToEmbed(), p.chunksEmbedded(), p.elapsedSeconds()));
    }
  }

  /** A run's progress as the daemon sent it; null when it cannot be read as one (a newer daemon's). */
  private static IndexProgressParams read(Object json) {
    try {
      return JsonLines.convert(json, IndexProgressParams.class);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Null for a phase this version does not know. */
  private static IndexProgress.Phase phase(IndexProgressParams p) {
    try {
      return IndexProgress.Phase.valueOf(String.valueOf(p.phase()).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Ctrl+C: drop the connection, which tells the daemon to stop the run if this client started it. */
  void interrupt() {
    if (leftAt != null) {
      return; // already left the run to the daemon
    }
    interrupted = true;
    DaemonClient c = client;
    if (c != null) {
      c.close();
    }
    if (waitingForOldRun) {
      err.println("stopped waiting: the other daemon's run goes on; nothing was indexed here");
      return;
    }
    err.println(follower ? FOLLOWER_LEFT : OWNER_CANCELLED);
  }

  /** Ctrl+C on the run this client started. */
  static final String OWNER_CANCELLED = "cancelled: the daemon stops the run; what it committed stays in service "
      + "and the chunks embedded so far will be reused";
  /** Ctrl+C on a run another client started. */
  static final String FOLLOWER_LEFT = "stopped following: the run goes on in the daemon (`cidx status` shows it, "
      + "`cidx index --cancel` stops it)";

  private void onProgress(IndexProgressParams p, IndexProgress progress) {
    if (!progressSeen && Boolean.TRUE.equals(p.joined())) {
      follower = true;
      err.println("cidx: indexing is already running since " + localTime(p.startedAt()) + "; following it");
    }
    progressSeen = true;
    if (background && leftAt == null && p.textCommitted()) {
      leftAt = p; // full text is searchable: leave the embedding to the daemon
      DaemonClient c = client;
      if (c != null) {
        c.close();
      }
      return;
    }
    IndexProgress.Phase phase = phase(p);
    if (phase == null) {
      return; // a phase of a newer daemon
    }
    progress.update(new IndexProgress.Snapshot(phase, p.filesScanned(), p.filesToIndex(), p.filesDone(),
        p.chunksToEmbed(), p.chunksEmbedded(), p.elapsedSeconds(), p.textCommitted()));
  }

  static String localTime(Object isoInstant) {
    try {
      return LocalTime.ofInstant(Instant.parse(String.valueOf(isoInstant)), ZoneId.systemDefault()).format(HH_MM_SS);
    } catch (DateTimeParseException e) {
      return String.valueOf(isoInstant);
    }
  }
}
