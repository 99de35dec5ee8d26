package dev.cidx.cli;

import dev.cidx.client.DaemonControl;
import dev.cidx.config.RepoPaths;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cidx clear-cache}: the daemon drops its model and index (waiting for running queries); the next
 * query loads them again. With no daemon there is nothing to clear, which is not an error.
 */
@Command(name = "clear-cache", description = "Make the daemon drop its cached model and index (the next query reloads them).")
final class ClearCacheCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() {
    RootCommand root = DaemonCommands.root(spec);
    RepoPaths repo = root.repo();
    Optional<DaemonControl.Ping> daemon = DaemonControl.ping(repo);
    Optional<Boolean> cleared = daemon.isPresent() ? DaemonControl.clearCache(repo) : Optional.empty();
    PrintStream out = root.context().out();
    if (json) {
      out.println(Json.write(new ControlResults.CacheCleared(cleared.isPresent(),
          cleared.isPresent() ? daemon.get().pid() : null, cleared.orElse(false))));
    } else if (cleared.isEmpty()) {
      out.println("no daemon is running for " + repo.root() + ": nothing to clear");
    } else if (cleared.get()) {
      out.println("cache cleared (daemon pid " + daemon.get().pid() + "); the next query loads the model and index again");
    } else {
      out.println("the cache was already empty (daemon pid " + daemon.get().pid() + ")");
    }
    return Cli.FOUND;
  }
}
