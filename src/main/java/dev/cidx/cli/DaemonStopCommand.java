package dev.cidx.cli;

import dev.cidx.config.RepoPaths;
import java.io.PrintStream;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cidx daemon stop} (and {@code cidx stop}): asks the daemon to shut down and waits until it has:
 * requests in flight finish (5 s at most), then its socket and lock are gone. Nothing to stop is not an
 * error.
 */
@Command(name = "stop", description = "Stop this repository's daemon gracefully (exit 0 if none is running).")
final class DaemonStopCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() {
    RootCommand root = DaemonCommands.root(spec);
    RepoPaths repo = root.repo();
    OptionalLong stopped = DaemonCommands.stop(repo);
    PrintStream out = root.context().out();
    if (json) {
      out.println(Json.write(new ControlResults.DaemonStopped(false, stopped.isPresent(),
          stopped.isPresent() ? stopped.getAsLong() : null)));
    } else if (stopped.isPresent()) {
      out.println("daemon stopped (pid " + stopped.getAsLong() + ")");
    } else {
      out.println("no daemon is running for " + repo.root());
    }
    return Cli.FOUND;
  }
}
