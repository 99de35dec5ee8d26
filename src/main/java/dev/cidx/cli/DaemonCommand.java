package dev.cidx.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code cidx daemon}: the group of commands that control the repository's daemon. */
@Command(name = "daemon", description = "Control this repository's daemon: start, stop, restart, status.",
    subcommands = {DaemonStartCommand.class, DaemonStopCommand.class, DaemonRestartCommand.class,
        DaemonStatusCommand.class})
final class DaemonCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a daemon command is required: start, stop, restart or status");
  }
}
