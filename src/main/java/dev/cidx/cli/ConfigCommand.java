package dev.cidx.cli;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code cidx config}: shows the effective configuration, or changes the daemon settings. */
@Command(name = "config", description = "Show or change .code-indexer/config.json.")
final class ConfigCommand implements Callable<Integer> {
  @ParentCommand
  RootCommand root;

  @Option(names = "--show", description = "Print the effective configuration (defaults filled in).")
  boolean show;

  @ArgGroup(exclusive = true)
  DaemonSwitch daemonSwitch;

  static final class DaemonSwitch {
    @Option(names = "--daemon", description = "Route queries through the per-repository daemon.")
    boolean on;

    @Option(names = "--no-daemon", description = "Run every command standalone.")
    boolean off;
  }

  @Option(names = "--daemon-ttl", paramLabel = "MINUTES", description = "Minutes without requests before the daemon drops its cache.")
  Double ttlMinutes;

  @Override
  public Integer call() throws IOException {
    RepoPaths repo = root.repo();
    CidxConfig config = root.config(repo);
    boolean changed = false;
    if (daemonSwitch != null) {
      config = config.withDaemon(config.daemon().withEnabled(daemonSwitch.on));
      changed = true;
    }
    if (ttlMinutes != null) {
      config = config.withDaemon(config.daemon().withTtlMinutes(ttlMinutes));
      changed = true;
    }
    if (changed) {
      config.save(repo.configFile());
      root.context().out().println("updated " + repo.configFile());
    }
    if (show || !changed) {
      root.context().out().println(config.toJson());
    }
    return Cli.FOUND;
  }
}
