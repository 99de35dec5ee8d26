package dev.cidx.cli;

import dev.cidx.config.UnsafePathException;
import dev.cidx.search.QueryService;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;

/**
 * The one command tree, run in the user's process (standalone) or inside the daemon for a forwarded
 * command line. Both paths parse with the same picocli commands, so no option can mean something else
 * through the daemon.
 *
 * <p>Exit codes are grep's: 0 found, 1 nothing found, 2 error or bad usage. Errors print one line
 * ({@code cidx: <what happened and what to do>}); set {@code CIDX_DEBUG=1} for stack traces. Messages
 * may quote paths and arguments, so they are printed through {@link TerminalText}.
 */
public final class Cli {
  public static final int FOUND = 0;
  public static final int NOT_FOUND = 1;
  public static final int ERROR = 2;

  private Cli() {}

  /**
   * Where a command line runs. {@code daemonQueries} is present inside the daemon: queries then go to its
   * cached indexes instead of opening them.
   */
  public record Context(Path cwd, Map<String, String> env, Terminal terminal, PrintStream out, PrintStream err,
      Optional<QueryService> daemonQueries) {

    public boolean insideDaemon() {
      return daemonQueries.isPresent();
    }

    boolean debug() {
      return "1".equals(env.get("CIDX_DEBUG"));
    }
  }

  /** Inside the daemon: the next tree, built while the daemon waits for a command line. */
  private static final SpareTree SPARE = new SpareTree();

  /** Runs one command line and returns its exit code (0 found, 1 nothing found, 2 error). */
  public static int run(List<String> argv, Context context) {
    CommandLine cmd = commandLine(context.insideDaemon() ? SPARE.take() : SpareTree.build(), context);
    try {
      int code = cmd.execute(argv.toArray(String[]::new));
      context.out().flush();
      context.err().flush();
      return code;
    } finally {
      if (context.insideDaemon()) {
        SPARE.refillInBackground();
      }
    }
  }

  /** For the daemon: builds the first tree now, in the background, so that the first run finds it ready. */
  public static void prepareForRuns() {
    SPARE.refillInBackground();
  }

  static CommandLine commandLine(Context context) {
    return commandLine(SpareTree.build(), context);
  }

  private static CommandLine commandLine(SpareTree.Built tree, Context context) {
    tree.root().bind(context);
    CommandLine cmd = tree.commandLine();
    // "@FILE" would replace an argument by the lines of any file this process can read; a query for
    // "@notes" means those five characters.
    cmd.setExpandAtFiles(false);
    if (context.insideDaemon()) {
      cmd.setExecutionStrategy(parsed -> {
        String command = commandPath(parsed);
        if (!DaemonAllowList.permits(command)) {
          context.err().println("cidx: " + DaemonAllowList.refusal(command));
          return ERROR;
        }
        return new CommandLine.RunLast().execute(parsed);
      });
    }
    cmd.setOut(new PrintWriter(context.out(), true));
    cmd.setErr(new PrintWriter(context.err(), true));
    cmd.setColorScheme(CommandLine.Help.defaultColorScheme(
        context.terminal().color() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
    cmd.getCommandSpec().exitCodeOnInvalidInput(ERROR);
    cmd.getCommandSpec().exitCodeOnExecutionException(ERROR);
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setParameterExceptionHandler((ex, args) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("cidx: " + TerminalText.line(ex.getMessage()));
      err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
      return ERROR;
    });
    cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      // lines, not line: a message may end with lines of its own (the end of daemon.log after a failed start)
      err.println("cidx: " + TerminalText.lines(describe(ex)));
      if (context.debug()) {
        ex.printStackTrace(err);
      }
      return ERROR;
    });
    return cmd;
  }

  /** The command a parsed line runs, as a path below {@code cidx}: "query", "daemon stop", "" for the root. */
  static String commandPath(CommandLine.ParseResult parsed) {
    List<CommandLine> chain = parsed.asCommandLineList();
    StringBuilder path = new StringBuilder();
    for (CommandLine c : chain.subList(1, chain.size())) {
      path.append(path.length() == 0 ? "" : " ").append(c.getCommandName());
    }
    return path.toString();
  }

  /** One line for any failure: the message of a user-facing error, or the type and message of a bug. */
  static String describe(Throwable ex) {
    if (ex instanceof UserError || ex instanceof IllegalArgumentException || ex instanceof UnsafePathException) {
      return ex.getMessage();
    }
    String message = ex.getMessage();
    String kind = ex.getClass().getSimpleName();
    return message == null ? "unexpected " + kind + " (run with CIDX_DEBUG=1 for details)"
        : message.lines().findFirst().orElse(message) + " (" + kind + "; CIDX_DEBUG=1 shows details)";
  }

  public static void main(String[] args) {
    System.exit(run(List.of(args), new Context(Path.of("").toAbsolutePath(), System.getenv(), Terminal.detect(),
        System.out, System.err, Optional.empty())));
  }
}
