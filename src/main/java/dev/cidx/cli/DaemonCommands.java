package dev.cidx.cli;

import dev.cidx.client.DaemonControl;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.RepoStatus;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the commands that control the daemon ({@code daemon start|stop|restart|status}, {@code start},
 * {@code stop}, {@code ping}, {@code clear-cache}) share. They talk to the daemon over its socket through
 * {@code client.DaemonControl}, from the user's process; none of them may run inside the daemon (a
 * forwarded {@code cidx stop} would wait for its own daemon to go away), and none ever deletes a socket.
 */
final class DaemonCommands {
  /**
   * How long stop waits for the daemon to go: it lets requests in flight finish for up to 5 s, then
   * closes its cache, removes its socket and releases its lock; the rest is slack for a loaded machine.
   */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  private DaemonCommands() {}

  /**
   * The root command of a daemon command. None of them runs inside the daemon: {@link DaemonAllowList}
   * keeps them out, in one place, before any command runs.
   */
  static RootCommand root(CommandSpec spec) {
    return (RootCommand) spec.root().userObject();
  }

  /** What {@code --json} prints when no daemon answers. */
  static RepoStatus.NoDaemon notRunning(RepoPaths repo) {
    return new RepoStatus.NoDaemon(repo.socketPath().toString(), repo.root().toString());
  }

  /** True when a socket file is there although no daemon answers (the next daemon removes it). */
  static boolean staleSocket(RepoPaths repo) {
    return Files.exists(repo.socketPath(), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Stops the daemon if one runs and waits until its process has exited, so that its socket and lock are
   * gone when this returns. Empty when none was running; the stopped daemon's pid otherwise.
   */
  static OptionalLong stop(RepoPaths repo) {
    Optional<DaemonControl.Ping> running = DaemonControl.ping(repo);
    if (running.isEmpty()) {
      return OptionalLong.empty();
    }
    long pid = running.get().pid();
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    DaemonControl.StopResult result = DaemonControl.stop(repo, STOP_TIMEOUT);
    if (result == DaemonControl.StopResult.NOT_RUNNING) {
      return OptionalLong.empty(); // it stopped on its own between the ping and the shutdown
    }
    // The socket goes first, the lock just after it, then the process exits: wait for the last.
    boolean exited = result == DaemonControl.StopResult.STOPPED && awaitExit(pid, deadline);
    if (!exited) {
      throw new UserError("the daemon (pid " + pid + ") did not stop within " + STOP_TIMEOUT.toSeconds()
          + " s; see " + repo.logFile() + " (`kill " + pid + "` stops it the hard way)");
    }
    return OptionalLong.of(pid);
  }

  private static boolean awaitExit(long pid, long deadline) {
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || pid == ProcessHandle.current().pid()) {
      return true; // gone already, or a daemon in this JVM (tests), whose socket is gone
    }
    try {
      process.get().onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
