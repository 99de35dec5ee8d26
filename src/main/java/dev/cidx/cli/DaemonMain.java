package dev.cidx.cli;

import dev.cidx.config.ConfigException;
import dev.cidx.config.RepoPaths;
import dev.cidx.config.UnsafePathException;
import dev.cidx.daemon.CommandRunner;
import dev.cidx.daemon.DaemonAlreadyRunningException;
import dev.cidx.daemon.DaemonLog;
import dev.cidx.daemon.DaemonServer;
import dev.cidx.daemon.EarlyLoad;
import dev.cidx.daemon.SearchCacheLoader;
import dev.cidx.config.CidxConfig;
import dev.cidx.embed.Embedder;
import dev.cidx.embed.EmbeddingException;
import dev.cidx.embed.Embedders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon process: {@code java -cp CLASSPATH dev.cidx.cli.DaemonMain --repo ROOT [--foreground]}.
 *
 * <p>Normally started detached by the client ({@code DaemonStarter}), with stdout and stderr appended to
 * {@code .code-indexer/daemon.log}; then it ignores SIGINT and SIGHUP, which belong to the terminal it was
 * started from. With {@code --foreground} it also logs to stderr and stops on Ctrl-C.
 *
 * <p>It lives in {@code cli} because it gives the daemon the command tree ({@link Cli#run}) as a
 * {@link CommandRunner}, which the daemon package cannot import. Exit status: 0 after a clean stop or when
 * another daemon already serves the repository; 1 when it cannot start; 2 on bad arguments.
 */
public final class DaemonMain {
  private DaemonMain() {}

  public static void main(String[] args) {
    // Before anything logs: keep the log working while shutdown hooks run (see DaemonLog.Manager).
    System.setProperty("java.util.logging.manager", DaemonLog.Manager.class.getName());
    System.exit(run(args));
  }

  static int run(String[] args) {
    Path root = null;
    boolean foreground = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--repo" -> {
          if (i + 1 == args.length) {
            return usage("--repo needs a directory");
          }
          root = Path.of(args[++i]);
        }
        case "--foreground" -> foreground = true;
        default -> {
          if (args[i].startsWith("--repo=")) {
            root = Path.of(args[i].substring("--repo=".length()));
          } else {
            return usage("unknown argument: " + args[i]);
          }
        }
      }
    }
    if (root == null) {
      return usage("--repo is required");
    }
    RepoPaths repo = new RepoPaths(root);
    if (!Files.isDirectory(repo.dataDir())) {
      System.err.println("cidx daemon: " + repo.root() + " has no " + RepoPaths.DATA_DIR + " directory; run `cidx init` there");
      return 1;
    }
    EarlyLoad.start(); // beside the log, config and socket set-up below
    try {
      DaemonLog.install(repo, foreground);
    } catch (IOException e) {
      System.err.println(TerminalText.line("cidx daemon: cannot open " + repo.logFile() + ": " + e.getMessage()));
      return 1;
    } catch (UnsafePathException e) {
      System.err.println("cidx daemon: " + e.getMessage());
      return 2;
    }
    Logger log = Logger.getLogger(DaemonMain.class.getName());
    if (!foreground) {
      ignoreTerminalSignals(log);
    }
    DaemonServer server = DaemonServer.builder(repo)
        .commandRunner(DaemonMain::runCommand)
        .cacheLoader(new SearchCacheLoader(repo, name -> openEmbedder(repo, name)))
        .preloadCache(true)
        .build();
    try {
      server.start();
    } catch (DaemonAlreadyRunningException e) {
      log.info("not starting: " + e.getMessage());
      System.err.println(TerminalText.line("cidx daemon: " + e.getMessage()));
      return 0;
    } catch (ConfigException | IOException | RuntimeException e) {
      log.log(Level.SEVERE, "cannot start the daemon", e);
      System.err.println(TerminalText.line("cidx daemon: cannot start: " + e.getMessage()));
      return 1;
    }
    Cli.prepareForRuns(); // the first forwarded command line finds its command tree built
    // SIGTERM, and SIGINT in the foreground: stop gracefully (the JVM runs shutdown hooks on both).
    Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop("signal (SIGTERM or SIGINT)"), "cidx-shutdown"));
    try {
      server.awaitStopped();
    } catch (InterruptedException e) {
      server.stop("interrupted");
    }
    return 0;
  }

  /** Runs a forwarded command line through the same command tree as the standalone CLI. */
  static int runCommand(CommandRunner.Invocation inv) {
    Terminal terminal = new Terminal(inv.terminal().interactive(), inv.terminal().color(), inv.terminal().columns());
    return Cli.run(inv.argv(), new Cli.Context(inv.cwd(), inv.env(), terminal, inv.out(), inv.err(),
        Optional.of(inv.queries())));
  }

  /**
   * A detached daemon was started from some terminal; Ctrl-C and hang-up there are not meant for it.
   * {@code setsid} already moved it to its own session; this covers systems without setsid.
   */
  @SuppressWarnings("removal")
  private static void ignoreTerminalSignals(Logger log) {
    for (String name : new String[] {"INT", "HUP"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sun.misc.SignalHandler.SIG_IGN);
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        log.fine("cannot ignore SIG" + name + ": " + e.getMessage());
      }
    }
  }

  private static int usage(String problem) {
    System.err.println("cidx daemon: " + problem);
    System.err.println("usage: java -cp CLASSPATH dev.cidx.cli.DaemonMain --repo DIR [--foreground]");
    return 2;
  }

  /**
   * The embedder that config.json names now, which must be the one the daemon asked for by name: if the
   * file changed in between, the caller fails this once and the daemon's config watch reloads.
   */
  private static Embedder openEmbedder(RepoPaths repo, String name) {
    CidxConfig config;
    try {
      config = Files.exists(repo.configFile()) ? CidxConfig.load(repo.configFile()) : CidxConfig.defaults();
    } catch (ConfigException e) {
      throw new EmbeddingException(e.getMessage(), e);
    }
    if (!Embedders.cacheName(config).equals(name)) {
      throw new EmbeddingException("config.json changed while the embedder " + name + " was loading; try again");
    }
    return Embedders.open(config);
  }
}
