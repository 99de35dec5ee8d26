package dev.cidx.cli;

import dev.cidx.client.DaemonControl;
import dev.cidx.client.DaemonUnavailableException;
import dev.cidx.config.RepoPaths;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cidx daemon start} (and {@code cidx start}): starts the daemon detached, as a query would, and
 * returns once it answers. One already running is reported, with exit 0. With {@code --foreground} the
 * daemon runs attached to this terminal instead, logging to stderr as well, until Ctrl-C.
 */
@Command(name = "start", description = "Start this repository's daemon (exit 0 if one is running already).")
final class DaemonStartCommand implements Callable<Integer> {
  /** After Ctrl-C, how long this process waits for a foreground daemon's graceful stop (5 s at most, plus slack). */
  private static final long FOREGROUND_STOP_SECONDS = 10;

  @Spec
  CommandSpec spec;

  @Option(names = "--foreground", description = "Run the daemon in this terminal (log on stderr too); Ctrl-C stops it.")
  boolean foreground;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() throws IOException, InterruptedException {
    RootCommand root = DaemonCommands.root(spec);
    RepoPaths repo = root.repo();
    if (foreground) {
      if (json) {
        throw new UserError("--foreground prints the daemon's log, not JSON; drop --json");
      }
      return runInForeground(repo);
    }
    DaemonControl.Started started;
    try {
      started = DaemonControl.start(repo, root.config(repo).daemon(), Launcher.daemonCommand(repo));
    } catch (DaemonUnavailableException e) {
      throw new UserError("cannot start the daemon: " + e.getMessage(), e);
    }
    PrintStream out = root.context().out();
    if (json) {
      out.println(Json.write(new ControlResults.DaemonStarted(true, started.pid(), started.alreadyRunning(),
          repo.socketPath().toString(), repo.root().toString())));
    } else if (started.alreadyRunning()) {
      out.println("a daemon is already running for " + repo.root() + " (pid " + started.pid() + ")");
    } else {
      out.println("daemon started for " + repo.root() + " (pid " + started.pid() + ", socket " + repo.socketPath() + ")");
    }
    return Cli.FOUND;
  }

  /**
   * Runs the daemon as a child attached to this terminal and waits for it. A child rather than this JVM:
   * the daemon gets the JVM options it is tuned for instead of the client's. Ctrl-C reaches both
   * processes; the hook makes this one wait for the child's graceful stop so the prompt returns last.
   */
  private int runInForeground(RepoPaths repo) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(Launcher.daemonCommand(repo));
    command.add("--foreground");
    Process daemon = new ProcessBuilder(command).directory(repo.root().toFile()).inheritIO().start();
    Thread hook = new Thread(() -> {
      daemon.destroy(); // SIGTERM: a graceful stop, already under way after a Ctrl-C
      try {
        daemon.waitFor(FOREGROUND_STOP_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "cidx-foreground-daemon-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return daemon.waitFor() == 0 ? Cli.FOUND : Cli.ERROR;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is exiting: the hook runs
      }
    }
  }
}
