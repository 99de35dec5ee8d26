package dev.cidx.cli;

import dev.cidx.search.QueryService;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one picocli command tree, run in the user's process (standalone) or inside the daemon for a
 * forwarded command line. (Stub: the implementation lands next.)
 */
public final class Cli {
  private Cli() {}

  /**
   * Where a command line runs. {@code daemonQueries} is present inside the daemon: queries then go to its
   * cached indexes instead of opening them.
   */
  public record Context(Path cwd, Map<String, String> env, Terminal terminal, PrintStream out, PrintStream err,
      Optional<QueryService> daemonQueries) {}

  /** Runs one command line and returns its exit code (0 found, 1 nothing found, 2 error). */
  public static int run(List<String> argv, Context context) {
    throw new UnsupportedOperationException("not yet");
  }

  public static void main(String[] args) {
    System.exit(run(List.of(args), new Context(Path.of("").toAbsolutePath(), System.getenv(), Terminal.detect(),
        System.out, System.err, Optional.empty())));
  }
}
