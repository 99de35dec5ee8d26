package dev.cidx.daemon;

import dev.cidx.protocol.Messages.TerminalInfo;
import dev.cidx.search.QueryService;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Runs a command line forwarded by the thin client (the {@code run} method). The daemon does not know the
 * command tree; {@code cli.DaemonMain} supplies a runner that hands the line to {@code Cli.run}, so a
 * command behaves the same in the daemon as in the user's process, only with the daemon's cached indexes.
 *
 * <p>Threads: called on connection threads, possibly several at once; an implementation must not touch
 * {@code System.out}, {@code System.err} or the process's working directory, only the invocation's.
 */
@FunctionalInterface
public interface CommandRunner {

  /** Runs one command line and returns its exit code. An exception is logged and answered as an internal error. */
  int run(Invocation invocation) throws Exception;

  /**
   * One forwarded command line and where it runs.
   *
   * @param argv the arguments after {@code cidx}, as the user typed them
   * @param cwd the client's working directory
   * @param env the client's environment (the variables it chose to forward)
   * @param terminal what the client's terminal can do
   * @param out text printed here reaches the client's stdout, streamed as it is flushed
   * @param err the same for stderr
   * @param queries the daemon's cache-backed query service: queries go here instead of opening the index
   * @param cancelled becomes true once the client has gone away; long commands may stop early
   */
  record Invocation(List<String> argv, Path cwd, Map<String, String> env, TerminalInfo terminal, PrintStream out,
      PrintStream err, QueryService queries, BooleanSupplier cancelled) {}
}
