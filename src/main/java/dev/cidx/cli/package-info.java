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
 * {@link dev.cidx.cli.Cli.Context}'s streams.
 */
package dev.cidx.cli;
