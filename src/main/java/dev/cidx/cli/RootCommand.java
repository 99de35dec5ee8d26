package dev.cidx.cli;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.ConfigException;
import dev.cidx.config.RepoLocator;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.Version;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code cidx}: the root of the command tree and the options every command shares. */
@Command(name = "cidx", scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = RootCommand.VersionProvider.class,
    description = "Code search for one repository: by meaning (semantic), by exact words (full-text), or both fused.",
    subcommands = {
        InitCommand.class, IndexCommand.class, QueryCommand.class, StatusCommand.class, WatchCommand.class,
        WatchStopCommand.class, ConfigCommand.class,
        DaemonCommand.class, DaemonStartCommand.class, DaemonStopCommand.class, PingCommand.class,
        ClearCacheCommand.class, CompletionCommand.class, McpCommand.class},
    usageHelpAutoWidth = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:results found / success", "1:no results", "2:error or bad usage"})
final class RootCommand implements Runnable {
  /** Bound once, before the command line runs (see {@link SpareTree}). */
  private Cli.Context context;

  @Option(names = "--path", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "Act on the repository at DIR (default: the nearest one above the current directory).")
  Path path;

  RootCommand() {}

  /** Binds where this tree's one command line runs; a tree is never bound twice. */
  void bind(Cli.Context context) {
    if (this.context != null) {
      throw new IllegalStateException("a command tree runs one command line");
    }
    this.context = context;
  }

  Cli.Context context() {
    return context;
  }

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a command is required");
  }

  /** The directory a command starts from: {@code --path} resolved against the caller's directory. */
  Path startDir() {
    Path start = path == null ? context.cwd() : context.cwd().resolve(path).normalize();
    if (!Files.isDirectory(start)) {
      throw new UserError("no such directory: " + start);
    }
    return start;
  }

  /** The repository this command acts on, or an error saying how to make one. */
  RepoPaths repo() {
    Path start = startDir();
    return RepoLocator.find(start, context.env(), context.err()::println).orElseThrow(() -> new UserError(
        "no index here: run `cidx init` then `cidx index`"));
  }

  CidxConfig config(RepoPaths repo) {
    try {
      return CidxConfig.load(repo.configFile());
    } catch (ConfigException e) {
      throw new UserError(e.getMessage(), e);
    }
  }

  static final class VersionProvider implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"cidx " + Version.CIDX + " (protocol " + Version.PROTOCOL + ", Java "
          + System.getProperty("java.version") + ")"};
    }
  }
}
