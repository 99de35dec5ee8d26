package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cidx.config.RepoPaths;
import dev.cidx.daemon.DaemonServer;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.search.QueryService;
import dev.cidx.testing.FakeCacheLoader;
import dev.cidx.testing.TestRepo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon commands in-process, against no daemon and against a {@link DaemonServer} in this JVM with
 * a fake cache. Real daemon processes on a real index are {@code DaemonCliIT}'s.
 */
class DaemonCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path root;
  RepoPaths repo;
  DaemonServer server;

  record Run(int exit, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    repo = TestRepo.create(root);
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.stop("test over");
    }
  }

  private void startServer() throws Exception {
    server = DaemonServer.builder(repo).cacheLoader(new FakeCacheLoader()).build();
    server.start();
  }

  private Run cidx(Optional<QueryService> daemonQueries, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Cli.run(List.of(args), new Cli.Context(root, Map.of(), Terminal.PLAIN,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        daemonQueries));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Run cidx(String... args) {
    return cidx(Optional.empty(), args);
  }

  @Test
  void daemonCommands_refuseToRunInsideTheDaemon() {
    Optional<QueryService> inside = Optional.of(request -> {
      throw new AssertionError("not a query");
    });
    for (List<String> argv : List.of(List.of("daemon", "stop"), List.of("stop"), List.of("daemon", "start"),
        List.of("start"), List.of("daemon", "restart"), List.of("daemon", "status"), List.of("ping"),
        List.of("clear-cache", "--json"))) {
      Run r = cidx(inside, argv.toArray(String[]::new));
      String name = "cidx " + String.join(" ", argv).replace(" --json", "");
      assertThat(r.exit()).as(name).isEqualTo(2);
      assertThat(r.err()).isEqualTo("cidx: `" + name + "` cannot run inside the daemon; run it in your shell\n");
      assertThat(r.out()).isEmpty();
    }
  }

  @Test
  void withoutADaemon_stopAndClearCacheHaveNothingToDo_statusSaysSo_andPingFails() throws Exception {
    Run stop = cidx("stop");
    assertThat(stop.exit()).isZero();
    assertThat(stop.out()).isEqualTo("no daemon is running for " + repo.root() + "\n");

    Run stopJson = cidx("daemon", "stop", "--json");
    assertThat(stopJson.json().path("stopped").asBoolean()).isFalse();
    assertThat(stopJson.json().path("pid").isNull()).isTrue();

    Run clear = cidx("clear-cache", "--json");
    assertThat(clear.exit()).isZero();
    assertThat(clear.json().path("running").asBoolean()).isFalse();
    assertThat(clear.json().path("cleared").asBoolean()).isFalse();

    Run status = cidx("daemon", "status", "--json");
    assertThat(status.exit()).isEqualTo(1);
    assertThat(status.json().path("running").asBoolean()).isFalse();
    assertThat(status.json().path("socket_path").asText()).isEqualTo(repo.socketPath().toString());

    Run human = cidx("daemon", "status");
    assertThat(human.out()).startsWith("daemon:        not running (the next `cidx query` starts it)\n");

    Run ping = cidx("ping");
    assertThat(ping.exit()).isEqualTo(2);
    assertThat(ping.err()).isEqualTo("cidx: no daemon is running for " + repo.root() + "; `cidx daemon start` starts one\n");
  }

  @Test
  void status_showsTheDaemonSection_whetherOrNotOneRuns() throws Exception {
    JsonNode without = cidx("status", "--json").json().path("daemon");
    assertThat(without.path("running").asBoolean()).isFalse();
    assertThat(without.path("enabled").asBoolean()).isTrue();
    assertThat(cidx("status").out()).contains("daemon:        not running");

    startServer();
    Run r = cidx("status", "--json");
    assertThat(r.exit()).isZero();
    JsonNode daemon = r.json().path("daemon");
    assertThat(daemon.path("running").asBoolean()).isTrue();
    assertThat(daemon.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
    assertThat(daemon.path("socket_path").asText()).isEqualTo(repo.socketPath().toString());
    assertThat(daemon.path("cache").path("loaded").asBoolean()).isFalse();
    assertThat(r.json().path("index").path("indexed").asBoolean()).isFalse();
    String human = cidx("status").out();
    assertThat(human).contains("daemon:        running, pid " + ProcessHandle.current().pid())
        .contains("socket:        " + repo.socketPath())
        .contains("cache:         empty")
        .contains("queries:       0 served, 0 errors, latency p50 -, p99 -")
        .contains("memory:");
  }

  @Test
  void ping_printsTheRoundTrip_andClearCacheDropsWhatIsLoaded() throws Exception {
    startServer();
    Run ping = cidx("ping");
    assertThat(ping.exit()).isZero();
    assertThat(ping.out()).matches("pong from pid " + ProcessHandle.current().pid()
        + ": \\d+\\.\\d\\d ms round trip \\(first on a new connection \\d+\\.\\d ms, connect \\d+\\.\\d ms\\)\n");
    assertThat(cidx("ping", "--json").json().path("round_trip_ms").asDouble()).isPositive();

    assertThat(cidx("clear-cache").out()).startsWith("the cache was already empty (daemon pid ");
    try (var client = dev.cidx.client.DaemonClient.connect(repo.socketPath())) {
      client.query(QueryRequest.builder("x").build());
    }
    Run cleared = cidx("clear-cache", "--json");
    assertThat(cleared.json().path("cleared").asBoolean()).isTrue();
    assertThat(cleared.json().path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
  }

  @Test
  void stop_waitsUntilTheSocketIsGone() throws Exception {
    startServer();
    Run r = cidx("daemon", "stop");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("daemon stopped (pid " + ProcessHandle.current().pid() + ")\n");
    assertThat(Files.exists(repo.socketPath(), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(server.stopReason()).isEqualTo("shutdown requested by a client");
  }

  @Test
  void daemonWithoutASubcommand_isBadUsage() {
    Run r = cidx("daemon");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("cidx: a daemon command is required: start, stop, restart or status\n");
  }
}
