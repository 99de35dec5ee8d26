/**
 * The command line: one picocli command tree ({@link dev.cidx.cli.Cli}), its human and {@code --json}
 * output, exit codes (0 found, 1 nothing found, 2 error), and the two process entry points:
 * {@link dev.cidx.cli.Launcher} (what {@code bin/cidx} runs: forwards a query to the repository's daemon
 * through {@code dev.cidx.client}, or runs the tree in-process) and {@link dev.cidx.cli.DaemonMain} (the
 * daemon process, which runs forwarded command lines through the same tree).
 *
 * <p>May import every other package; nothing imports this one. The launcher's fast path must stay free
 * of picocli, Lucene and ONNX classes so a warm query costs little more than a JVM start. Commands are
 * run concurrently inside the daemon: they keep no static mutable state and write only to their
 * {@link dev.cidx.cli.Cli.Context}'s streams. Each command line gets a tree of its own; the daemon has the
 * next one built ahead ({@code SpareTree}), as building it costs more than answering a warm query.
 *
 * <p>Text cidx did not write (paths, snippets, queries, messages quoting them) reaches people through
 * {@code TerminalText} and scripts through {@code Json}, so it cannot act on a terminal; the daemon runs
 * only the commands of {@code DaemonAllowList}.
 */
package dev.cidx.cli;
