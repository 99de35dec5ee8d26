package dev.cidx.cli;

import dev.cidx.client.DaemonControl;
import dev.cidx.client.DaemonUnavailableException;
import dev.cidx.config.RepoPaths;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cidx daemon restart}: stop (waiting until the old process is gone, so the new daemon does not
 * find its lock still held), then start; with no daemon running, just start.
 */
@Command(name = "restart", description = "Stop this repository's daemon, if one runs, and start a new one.")
final class DaemonRestartCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() {
    RootCommand root = DaemonCommands.root(spec);
    RepoPaths repo = root.repo();
    OptionalLong previous = DaemonCommands.stop(repo);
    DaemonControl.Started started;
    try {
      started = DaemonControl.start(repo, root.config(repo).daemon(), Launcher.daemonCommand(repo));
    } catch (DaemonUnavailableException e) {
      throw new UserError("cannot start the daemon: " + e.getMessage(), e);
    }
    if (json) {
      root.context().out().println(Json.write(new ControlResults.DaemonRestarted(true, started.pid(),
          previous.isPresent() ? previous.getAsLong() : null, repo.socketPath().toString(), repo.root().toString())));
    } else if (previous.isPresent()) {
      root.context().out().println("daemon restarted for " + repo.root() + " (pid " + previous.getAsLong() + " → "
          + started.pid() + ")");
    } else {
      root.context().out().println("daemon started for " + repo.root() + " (pid " + started.pid()
          + "); none was running");
    }
    return Cli.FOUND;
  }
}
