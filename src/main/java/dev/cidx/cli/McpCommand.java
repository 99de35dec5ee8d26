package dev.cidx.cli;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.mcp.CidxMcpServer;
import dev.cidx.mcp.ClientConfigs;
import dev.cidx.mcp.McpSetup;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code cidx mcp}: serves the repository to coding agents over MCP on stdio ({@link CidxMcpServer}),
 * through its daemon as {@code cidx query} goes, standalone without one. Stdout carries the protocol
 * alone: {@code System.out} is pointed at stderr before serving, so no library's print reaches it.
 */
@Command(name = "mcp", description = {"Serve the repository to coding agents (MCP on stdio): search_code, read_code,",
    "index_status, reindex. --print-config shows how to register it."})
final class McpCommand implements Callable<Integer> {
  @ParentCommand
  RootCommand root;

  @Option(names = "--print-config", paramLabel = "CLIENT", completionCandidates = ClientNames.class,
      description = "Print the snippet that registers cidx with claude, cursor or vscode, and exit.")
  String printConfig;

  @Override
  public Integer call() throws InterruptedException {
    Cli.Context ctx = root.context();
    if (printConfig != null) {
      ClientConfigs.Client client = ClientConfigs.Client.byName(printConfig);
      String repository = root.path == null ? null : root.repo().root().toString();
      ctx.err().println("cidx: " + ClientConfigs.where(client));
      ctx.out().print(ClientConfigs.snippet(client, cidxCommand(), repository));
      return Cli.FOUND;
    }
    RepoPaths repo = root.repo();
    CidxConfig config = root.config(repo);
    boolean useDaemon = config.daemon().enabled() && !"1".equals(ctx.env().get("CIDX_NO_DAEMON"));
    McpSetup setup = new McpSetup(repo, config, useDaemon, Launcher.daemonCommand(repo),
        new StandaloneQueries(repo, config), () -> {
          try {
            return StatusCommand.report(repo, config);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read the index status: " + e.getMessage(), e);
          }
        });
    OutputStream protocol = new FileOutputStream(FileDescriptor.out);
    System.setOut(ctx.err());
    CidxMcpServer.serve(setup, System.in, protocol, ctx.err());
    return Cli.FOUND;
  }

  /** Values of {@code --print-config}, as typed. */
  static final class ClientNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.Arrays.stream(ClientConfigs.Client.values())
          .map(c -> c.name().toLowerCase(java.util.Locale.ROOT)).iterator();
    }
  }

  /** bin/cidx by its absolute path (the launcher passes its home), else plain "cidx" from the PATH. */
  private static String cidxCommand() {
    String home = System.getProperty("cidx.home");
    return home == null ? "cidx" : Path.of(home, "bin", "cidx").toString();
  }
}
