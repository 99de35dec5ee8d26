package dev.cidx.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.client.DaemonClient;
import dev.cidx.client.DaemonRpcException;
import dev.cidx.client.DaemonUnavailableException;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.Messages.PingResult;
import dev.cidx.protocol.Methods;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cidx ping}: pings the running daemon (never starts one) and prints the round-trip time.
 *
 * <p>The first request on a connection mostly measures this JVM loading its JSON and socket classes
 * (over 100 ms with the client's JIT settings), so it is reported apart as {@code first_ms}; the round
 * trip is the best of a few pings after it, which is what the daemon and the socket cost.
 */
@Command(name = "ping", description = "Ping this repository's daemon and print the round-trip time (does not start one).")
final class PingCommand implements Callable<Integer> {
  private static final int TIMED_PINGS = 5;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Spec
  CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  /** What {@code cidx ping --json} prints: the best of the timed round trips, the first, and the connect. */
  record Pong(
      @JsonProperty("pid") long pid,
      @JsonProperty("round_trip_ms") double roundTripMs,
      @JsonProperty("first_ms") double firstMs,
      @JsonProperty("connect_ms") double connectMs) {}

  @Override
  public Integer call() {
    RootCommand root = DaemonCommands.root(spec);
    RepoPaths repo = root.repo();
    long t0 = System.nanoTime();
    long pid;
    double connectMs;
    double firstMs;
    double bestMs = Double.MAX_VALUE;
    try (DaemonClient client = DaemonClient.connect(repo.socketPath())) {
      long t1 = System.nanoTime();
      JsonNode pong = client.call(Methods.PING, null, TIMEOUT);
      long t2 = System.nanoTime();
      pid = JsonLines.convert(pong, PingResult.class).pid();
      connectMs = (t1 - t0) / 1e6;
      firstMs = (t2 - t1) / 1e6;
      for (int i = 0; i < TIMED_PINGS; i++) {
        long start = System.nanoTime();
        client.call(Methods.PING, null, TIMEOUT);
        bestMs = Math.min(bestMs, (System.nanoTime() - start) / 1e6);
      }
    } catch (DaemonUnavailableException e) {
      throw new UserError("no daemon is running for " + repo.root() + "; `cidx daemon start` starts one", e);
    } catch (DaemonRpcException e) {
      throw new UserError("the daemon answered ping with an error: " + e.getMessage(), e);
    }
    PrintStream out = root.context().out();
    if (json) {
      out.println(Json.write(new Pong(pid, bestMs, firstMs, connectMs)));
    } else {
      out.printf(Locale.ROOT, "pong from pid %d: %.2f ms round trip (first on a new connection %.1f ms, connect %.1f ms)%n",
          pid, bestMs, firstMs, connectMs);
    }
    return Cli.FOUND;
  }
}
