package dev.cidx.cli;

import dev.cidx.client.DaemonClient;
import dev.cidx.client.DaemonRpcException;
import dev.cidx.client.DaemonUnavailableException;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.Messages.NoParams;
import dev.cidx.protocol.Messages.WatchStopResult;
import dev.cidx.protocol.Methods;
import java.io.PrintStream;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cidx watch-stop}: ends the daemon's watch, and a foreground {@code cidx watch} of this repository
 * (asked to stop like Ctrl+C would). The daemon keeps running. Nothing to stop is not an error.
 */
@Command(name = "watch-stop", description = "Stop watching this repository (the daemon's watch, or a `cidx watch` "
    + "running in another terminal).")
final class WatchStopCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() {
    RootCommand root = DaemonCommands.root(spec);
    RepoPaths repo = root.repo();
    WatchStopResult daemon = null;
    try (DaemonClient client = DaemonClient.connect(repo.socketPath())) {
      daemon = client.call(Methods.WATCH_STOP, new NoParams(), WatchStopResult.class, Duration.ofSeconds(30));
    } catch (DaemonUnavailableException e) {
      // no daemon: nothing watches there
    } catch (DaemonRpcException e) {
      throw new UserError(e.getMessage(), e);
    }
    OptionalLong foreground = ForegroundWatch.stopRunning(repo);
    boolean daemonStopped = daemon != null && daemon.stopped();
    PrintStream out = root.context().out();
    if (json) {
      out.println(Json.write(new ControlResults.WatchStopped(daemonStopped || foreground.isPresent(), daemon,
          foreground.isPresent() ? foreground.getAsLong() : null)));
      return Cli.FOUND;
    }
    if (daemonStopped) {
      out.println("stopped the daemon's watch of " + repo.root() + " (watching since "
          + DaemonIndexing.localTime(daemon.watch().since()) + ", " + daemon.watch().updates() + " updates)");
    }
    if (foreground.isPresent()) {
      out.println("stopped `cidx watch` (pid " + foreground.getAsLong() + ")");
    }
    if (!daemonStopped && foreground.isEmpty()) {
      out.println("nothing is watching " + repo.root());
    }
    return Cli.FOUND;
  }
}
