package dev.cidx.cli;

import dev.cidx.client.DaemonClient;
import dev.cidx.client.DaemonRpcException;
import dev.cidx.client.DaemonStarter;
import dev.cidx.client.DaemonUnavailableException;
import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.config.UnsafePathException;
import dev.cidx.protocol.Messages.WatchParams;
import dev.cidx.protocol.Messages.WatchStartResult;
import dev.cidx.protocol.Methods;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code cidx watch}: keeps the index fresh as files change. With the daemon enabled the daemon watches
 * and this command returns at once ({@code cidx watch-stop} ends it, {@code cidx status} shows it);
 * otherwise, or with {@code --no-daemon}, or when no daemon can be reached, this process watches until
 * Ctrl+C ({@link ForegroundWatch}). Either way the index is brought up to date first, then every burst
 * of changes is indexed once it has been quiet for the debounce.
 */
@Command(name = "watch", description = "Keep the index fresh as files change: in the daemon (returns at once; "
    + "`cidx watch-stop` ends it), or in this process until Ctrl+C when the daemon is disabled.")
final class WatchCommand implements Callable<Integer> {
  @ParentCommand
  RootCommand root;

  @Option(names = "--debounce", paramLabel = "SECONDS", defaultValue = "2",
      description = "Index a burst of changes once none has come for SECONDS (0-600, default: ${DEFAULT-VALUE}).")
  double debounce;

  @Option(names = {"--no-daemon", "--foreground"},
      description = "Watch in this process even if the daemon is enabled (also CIDX_NO_DAEMON=1).")
  boolean foreground;

  @Option(names = "--json", description = "Print JSON: the daemon's watch status, or one line per update in the foreground.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    WatchParams params;
    try {
      params = new WatchParams(debounce);
    } catch (IllegalArgumentException e) {
      throw new UserError("--debounce " + format(debounce) + " is out of range: give 0 to "
          + (int) WatchParams.MAX_DEBOUNCE_SECONDS + " seconds");
    }
    RepoPaths repo = root.repo();
    CidxConfig config = root.config(repo);
    Cli.Context ctx = root.context();
    if (ctx.insideDaemon()) {
      throw new UserError("`cidx watch` cannot run inside the daemon; run it in your shell");
    }
    Duration quiet = Duration.ofMillis(Math.round(debounce * 1000));
    boolean viaDaemon = config.daemon().enabled() && !foreground && !"1".equals(ctx.env().get("CIDX_NO_DAEMON"));
    if (viaDaemon) {
      try (DaemonClient client = new DaemonStarter(repo, config.daemon(), Launcher.daemonCommand(repo)).connect()) {
        WatchStartResult result = client.call(Methods.WATCH_START, params, WatchStartResult.class, Duration.ofSeconds(60));
        print(ctx.out(), repo, result);
        return Cli.FOUND;
      } catch (DaemonRpcException e) {
        throw new UserError(e.getMessage(), e);
      } catch (DaemonUnavailableException e) {
        ctx.err().println("cidx: daemon unavailable (" + Launcher.firstLine(e.getMessage())
            + "); watching in this process instead");
      } catch (UnsafePathException e) {
        if (e.use() == UnsafePathException.Use.WRITE) {
          throw e; // a planted link: the command stops, with one line
        }
        ctx.err().println("cidx: " + TerminalText.line(Launcher.firstLine(e.getMessage()))
            + "; watching in this process instead");
      }
    }
    return new ForegroundWatch(repo, config, ctx, quiet, json).run();
  }

  private void print(PrintStream out, RepoPaths repo, WatchStartResult result) {
    if (json) {
      out.println(Json.write(result));
    } else if (result.started()) {
      out.println("watching " + repo.root() + " in the daemon (" + result.watch().directories() + " directories, "
          + "debounce " + format(debounce) + " s); `cidx watch-stop` ends it, `cidx status` shows it");
    } else {
      out.println("already watching " + repo.root() + " in the daemon since "
          + DaemonIndexing.localTime(result.watch().since()) + "; debounce now " + format(debounce) + " s");
    }
  }

  static String format(double seconds) {
    return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : String.format(Locale.ROOT, "%.2f", seconds)
        .replaceFirst("0+$", "");
  }
}
