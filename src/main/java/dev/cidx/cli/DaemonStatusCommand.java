package dev.cidx.cli;

import dev.cidx.client.DaemonControl;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.Messages.StatusResult;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cidx daemon status}: the daemon's state, cache, traffic and memory; exit 1 when none is running. */
@Command(name = "status", description = "Show this repository's daemon: pid, uptime, socket, cache, queries, "
    + "latency, memory. Exit 1 when no daemon is running.")
final class DaemonStatusCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object (the daemon's status method's result).")
  boolean json;

  @Override
  public Integer call() {
    RootCommand root = DaemonCommands.root(spec);
    RepoPaths repo = root.repo();
    Optional<StatusResult> status = DaemonControl.status(repo);
    PrintStream out = root.context().out();
    if (json) {
      out.println(status.map(Json::write).orElseGet(() -> Json.write(DaemonCommands.notRunning(repo))));
    } else if (status.isPresent()) {
      new DaemonStatusPrinter(out).printRunning(status.get());
    } else {
      new DaemonStatusPrinter(out).printNotRunning(repo, root.config(repo).daemon().enabled());
    }
    return status.isPresent() ? Cli.FOUND : Cli.NOT_FOUND;
  }
}
