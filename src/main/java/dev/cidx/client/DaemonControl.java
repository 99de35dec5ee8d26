package dev.cidx.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.config.DaemonSettings;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.Messages.ClearCacheResult;
import dev.cidx.protocol.Messages.HelloResult;
import dev.cidx.protocol.Messages.IndexCancelResult;
import dev.cidx.protocol.Messages.PingResult;
import dev.cidx.protocol.Messages.StatusResult;
import dev.cidx.protocol.Methods;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The daemon commands of the CLI ({@code cidx daemon status|stop|start}, {@code ping}, {@code clear-cache})
 * as one call each. None of them starts a daemon except {@link #start}; "no daemon running" is an empty
 * result, not an exception.
 */
public final class DaemonControl {
  private DaemonControl() {}

  /** The result of {@link #stop}. */
  public enum StopResult {
    /** There was no daemon to stop. */
    NOT_RUNNING,
    /** It stopped: its socket is gone, or its process exited. */
    STOPPED,
    /** It was asked to stop but its socket is still there after the timeout. */
    TIMED_OUT
  }

  /** The result of {@link #ping}: the daemon's pid and the round trip of one ping on an open connection. */
  public record Ping(long pid, double roundTripMs, double connectMs) {}

  /** The result of {@link #start}: the daemon's pid, and whether it was already running. */
  public record Started(long pid, boolean alreadyRunning) {}

  /** The daemon's status as JSON (for {@code --json}), or empty when no daemon answers. */
  public static Optional<JsonNode> statusJson(RepoPaths repo) {
    try (DaemonClient client = DaemonClient.connect(repo.socketPath())) {
      return Optional.of(client.call(Methods.STATUS, null, Duration.ofSeconds(10)));
    } catch (DaemonUnavailableException | DaemonRpcException e) {
      return Optional.empty();
    }
  }

  /** The daemon's status, or empty when no daemon answers. */
  public static Optional<StatusResult> status(RepoPaths repo) {
    Optional<JsonNode> json = statusJson(repo);
    if (json.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(JsonLines.MAPPER.treeToValue(json.get(), StatusResult.class));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  /** Pings the daemon, or empty when none answers. */
  public static Optional<Ping> ping(RepoPaths repo) {
    long t0 = System.nanoTime();
    try (DaemonClient client = DaemonClient.connect(repo.socketPath())) {
      long t1 = System.nanoTime();
      JsonNode pong = client.call(Methods.PING, null, Duration.ofSeconds(10));
      long t2 = System.nanoTime();
      return Optional.of(new Ping(JsonLines.convert(pong, PingResult.class).pid(), (t2 - t1) / 1e6, (t1 - t0) / 1e6));
    } catch (DaemonUnavailableException | DaemonRpcException e) {
      return Optional.empty();
    }
  }

  /** Cancels the daemon's index run; empty when no daemon answers. */
  public static Optional<IndexCancelResult> cancelIndex(RepoPaths repo) {
    try (DaemonClient client = DaemonClient.connect(repo.socketPath())) {
      return Optional.of(JsonLines.convert(client.call(Methods.INDEX_CANCEL, null, Duration.ofSeconds(30)),
          IndexCancelResult.class));
    } catch (DaemonUnavailableException | DaemonRpcException e) {
      return Optional.empty();
    }
  }

  /** Drops the daemon's cache; empty when no daemon answers, else whether anything was loaded. */
  public static Optional<Boolean> clearCache(RepoPaths repo) {
    try (DaemonClient client = DaemonClient.connect(repo.socketPath())) {
      return Optional.of(JsonLines.convert(client.call(Methods.CLEAR_CACHE, null, Duration.ofSeconds(30)),
          ClearCacheResult.class).cleared());
    } catch (DaemonUnavailableException | DaemonRpcException e) {
      return Optional.empty();
    }
  }

  /**
   * Asks the daemon to shut down and waits up to {@code timeout} for its socket to disappear, or for its
   * process to exit: a daemon whose {@code .code-indexer} turned read-only cannot remove its socket.
   */
  public static StopResult stop(RepoPaths repo, Duration timeout) {
    long pid;
    try (DaemonClient client = DaemonClient.connect(repo.socketPath())) {
      pid = JsonLines.convert(client.call(Methods.PING, null, Duration.ofSeconds(10)), PingResult.class).pid();
      client.call(Methods.SHUTDOWN, null, Duration.ofSeconds(10));
    } catch (DaemonUnavailableException | DaemonRpcException e) {
      return StopResult.NOT_RUNNING;
    }
    return DaemonStarter.awaitSocketGone(repo.socketPath(), pid, timeout) ? StopResult.STOPPED : StopResult.TIMED_OUT;
  }

  /** Stops the running daemon (if any, waiting up to {@code timeout}) and starts a new one. */
  public static Started restart(RepoPaths repo, DaemonSettings settings, List<String> daemonCommand, Duration timeout)
      throws DaemonUnavailableException {
    if (stop(repo, timeout) == StopResult.TIMED_OUT) {
      throw new DaemonUnavailableException("the running daemon did not stop within " + timeout.toSeconds() + " s");
    }
    return start(repo, settings, daemonCommand);
  }

  /** Starts a daemon unless one of this version runs; see {@link DaemonStarter} for the steps. */
  public static Started start(RepoPaths repo, DaemonSettings settings, List<String> daemonCommand)
      throws DaemonUnavailableException {
    Optional<Ping> running = ping(repo);
    try (DaemonClient client = new DaemonStarter(repo, settings, daemonCommand).connect()) {
      HelloResult hello = client.hello();
      return new Started(hello.pid(), running.isPresent() && running.get().pid() == hello.pid());
    } catch (DaemonRpcException e) {
      throw new DaemonUnavailableException("the daemon rejected the handshake: " + e.getMessage(), e);
    }
  }
}
