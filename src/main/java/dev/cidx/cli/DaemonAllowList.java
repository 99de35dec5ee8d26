package dev.cidx.cli;

import java.util.Set;

/**
 * The commands a {@code run} request may execute inside the daemon, in one place: exactly those the
 * launcher forwards ({@link Launcher} reads this list too), today {@code query}. Any other command line,
 * whoever sends it over the socket, is refused before its command runs ({@link Cli}), so a command added
 * later stays out of the daemon until someone decides it belongs there.
 *
 * <p>Why so narrow: the daemon is long-lived and shared by every client of the repository. Commands that
 * write ({@code init}, {@code config}) would write wherever the request's directory says; {@code index}
 * and {@code watch} have methods of their own, so that the daemon stays the one writer of the index; the
 * commands that control the daemon ({@code daemon stop}, {@code clear-cache}, {@code ping}, ...) would
 * wait on the daemon from inside it.
 *
 * <p>No picocli types here: the launcher's fast path loads this class.
 */
final class DaemonAllowList {
  /** Command paths below {@code cidx}, as typed ({@code "query"}, {@code "daemon stop"}). */
  private static final Set<String> COMMANDS = Set.of("query");

  private DaemonAllowList() {}

  /** Whether {@code command} (a path below {@code cidx}, e.g. {@code "query"}) may run in the daemon. */
  static boolean permits(String command) {
    return command != null && COMMANDS.contains(command);
  }

  /** The one line that refuses {@code command}. */
  static String refusal(String command) {
    return "`cidx" + (command.isEmpty() ? "" : " " + command) + "` cannot run inside the daemon; run it in your shell";
  }
}
