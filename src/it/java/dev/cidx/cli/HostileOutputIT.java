package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cidx.cli.StandaloneSearchIT.Run;
import dev.cidx.client.DaemonControl;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.Version;
import dev.cidx.testing.CidxProcess;
import dev.cidx.testing.CidxProcess.Result;
import dev.cidx.testing.LineSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A repository that attacks the terminal, the daemon's log and the daemon itself, run with the real
 * {@code bin/cidx} launcher and daemon: a file whose text holds terminal escapes (a window-title OSC, a
 * clear-screen CSI, a C1 CSI), a file whose name holds an escape, a newline and a bidi override, raw
 * {@code run} requests for commands the client never sends, an {@code @file} argument, and a secret in
 * the environment of the shell that starts the daemon.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileOutputIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** An OSC that sets the window title, a CSI that clears the screen, and CSI as the one C1 byte 0x9b. */
  private static final String ESCAPES = "\u001b]0;pwned\u0007 \u001b[2J \u009b31m";
  private static final String CONTENT_LINE = "  String title = \"zebrafish " + ESCAPES + "\";";
  private static final String HOSTILE_NAME = "evil\u001b[31m\nforged\u202e.java";
  private static final String HOSTILE_NAME_SHOWN = "evil\\x1b[31m\\nforged\\u202e.java";
  private static final String SECRET = "SECRET_TOKEN";

  @TempDir
  static Path tmp;

  private Path dir;
  private RepoPaths repo;

  @BeforeAll
  void plantAndIndex() throws IOException {
    dir = tmp.resolve("repo");
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("Title.java"), "class Title {\n" + CONTENT_LINE + "\n}\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(HOSTILE_NAME), "class Evil {\n  void quokkaJump() {}\n}\n", StandardCharsets.UTF_8);
    assertThat(StandaloneSearchIT.cidx(dir, "init").exit()).isZero();
    Run index = StandaloneSearchIT.cidx(dir, "index");
    assertThat(index.exit()).as(index.err()).isZero();
    repo = new RepoPaths(dir);
  }

  @AfterAll
  void stopTheDaemon() {
    DaemonCommands.stop(repo);
  }

  // --- the daemon's environment (first: it needs a daemon started by this test)

  @Test
  @Order(1)
  void daemonEnvironment_dropsTheStartingShellsSecrets_keepsPathAndHome() throws IOException {
    DaemonCommands.stop(repo);
    Result r = CidxProcess.run(dir, Map.of(SECRET, "hunter2", "CIDX_TEST_MARK", "kept"), "query", "--fts",
        "zebrafish", "-q");
    assertThat(r.err()).isEmpty();
    long pid = DaemonControl.ping(repo).orElseThrow().pid();

    List<String> environ = Arrays.asList(
        Files.readString(Path.of("/proc/" + pid + "/environ"), StandardCharsets.UTF_8).split("\0"));
    assertThat(environ).noneMatch(v -> v.startsWith(SECRET + "="));
    assertThat(environ).anyMatch(v -> v.startsWith("PATH="));
    assertThat(environ).anyMatch(v -> v.startsWith("HOME="));
    assertThat(environ).contains("CIDX_TEST_MARK=kept");
  }

  // --- output

  @Test
  @Order(2)
  void daemonQuery_human_showsEscapesInContentAndNameVisibly() {
    Result content = CidxProcess.run(dir, "query", "--fts", "zebrafish");
    assertThat(content.exit()).as(content.err()).isZero();
    assertThat(content.out()).contains(", daemon)").contains("zebrafish \\x1b]0;pwned\\x07 \\x1b[2J \\u009b31m");
    assertNoRawControls(content.out() + content.err());

    Result name = CidxProcess.run(dir, "query", "--fts", "quokkaJump");
    assertThat(name.exit()).as(name.err()).isZero();
    assertThat(name.out()).contains(HOSTILE_NAME_SHOWN + ":1-3");
    assertNoRawControls(name.out() + name.err());

    Result quiet = CidxProcess.run(dir, "query", "--fts", "quokkaJump", "-q");
    assertThat(quiet.out()).isEqualTo(HOSTILE_NAME_SHOWN + ":1-3\n");
  }

  @Test
  @Order(3)
  void standaloneQuery_human_showsEscapesInContentAndNameVisibly() {
    Map<String, String> env = Map.of("CIDX_NO_DAEMON", "1");
    Result content = CidxProcess.run(dir, env, "query", "--fts", "zebrafish");
    assertThat(content.exit()).as(content.err()).isZero();
    assertThat(content.out()).contains(", standalone)").contains("zebrafish \\x1b]0;pwned\\x07 \\x1b[2J \\u009b31m");
    assertNoRawControls(content.out() + content.err());

    Result quiet = CidxProcess.run(dir, env, "query", "--fts", "quokkaJump", "-q");
    assertThat(quiet.out()).isEqualTo(HOSTILE_NAME_SHOWN + ":1-3\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"daemon", "standalone"})
  @Order(4)
  void json_escapesControlsAndRoundTripsTheOriginalText(String via) throws IOException {
    Map<String, String> env = via.equals("standalone") ? Map.of("CIDX_NO_DAEMON", "1") : Map.of();
    Result content = CidxProcess.run(dir, env, "query", "--fts", "zebrafish", "--json");
    assertThat(content.exit()).as(content.err()).isZero();
    assertNoRawControls(content.out() + content.err());
    assertThat(content.out()).contains("\\u001B]0;pwned\\u0007").contains("\\u009B31m");
    JsonNode hit = content.json().get("results").get(0);
    assertThat(content.json().get("via").asText()).startsWith(via);
    assertThat(hit.get("snippet").asText()).contains(CONTENT_LINE);

    Result name = CidxProcess.run(dir, env, "query", "--fts", "quokkaJump", "--json");
    assertNoRawControls(name.out() + name.err());
    assertThat(name.out()).contains("\\u202E");
    assertThat(name.json().get("results").get(0).get("path").asText()).isEqualTo(HOSTILE_NAME);
  }

  @Test
  @Order(5)
  void daemonLog_escapesControlsFromFileNamesAndRequests() throws IOException {
    ensureDaemon();
    try (LineSocket socket = new LineSocket(repo.socketPath())) {
      // A client version is written to the log when it differs from the daemon's.
      socket.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\",\"params\":{\"client_version\":"
          + JSON.writeValueAsString("0.0.1\r2030-01-01T00:00:00Z SEVERE  [main] forged by hello\u001b[2J")
          + ",\"protocol_version\":1}}\n");
      assertThat(socket.read(Duration.ofSeconds(30)).has("result")).isTrue();
      // What a git hook sends after the file changed: the daemon logs the path it updated.
      Files.writeString(dir.resolve(HOSTILE_NAME), "class Evil {\n  void quokkaJump() {}\n  void more() {}\n}\n");
      socket.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"notify\",\"params\":{\"paths\":["
          + JSON.writeValueAsString(HOSTILE_NAME) + "]}}\n");
      assertThat(socket.read(Duration.ofSeconds(30)).has("result")).isTrue();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> log().contains("updated "));

    String log = log();
    assertNoRawControls(log);
    assertThat(log.lines()).noneMatch(l -> l.startsWith("forged") || l.startsWith("2030-"));
    assertThat(log).contains("updated " + HOSTILE_NAME_SHOWN).contains("0.0.1\\r2030-01-01T00:00:00Z");
  }

  // --- run: only what the client sends

  @ParameterizedTest
  @ValueSource(strings = {"init", "config --daemon-ttl 99", "status", "index", "clear-cache", "daemon stop",
      "watch-stop", "completion", "--help"})
  @Order(6)
  void run_refusesCommandsTheClientNeverForwards(String command) throws IOException {
    ensureDaemon();
    deleteTree(dir.resolve("sub/.code-indexer")); // what an earlier case may have planted, were it not refused
    String configBefore = Files.readString(repo.configFile());
    RawRun r = rawRun(dir.resolve("sub"), command.split(" "));

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr()).contains("cannot run inside the daemon");
    assertThat(dir.resolve("sub/.code-indexer")).doesNotExist();
    assertThat(Files.readString(repo.configFile())).isEqualTo(configBefore);
    assertThat(DaemonControl.ping(repo)).isPresent();
  }

  @Test
  @Order(7)
  void run_withACwdOutsideTheRepository_isRefused() throws IOException {
    ensureDaemon();
    RawRun r = rawRun(tmp, "query", "--fts", "zebrafish", "-q", "--path", dir.toString());

    assertThat(r.exitCode()).as(r.toString()).isNull();
    assertThat(r.stdout()).isEmpty();
    assertThat(r.error()).contains("outside").contains(dir.toRealPath().toString());
  }

  @Test
  @Order(8)
  void query_withPathFromOutsideTheRepository_stillGoesThroughTheDaemon() {
    ensureDaemon();
    Result r = CidxProcess.run(tmp, "query", "--fts", "zebrafish", "-q", "--path", "repo");
    assertThat(r.err()).isEmpty();
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("Title.java:1-3\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"daemon", "standalone"})
  @Order(9)
  void atFile_isSearchedLiterally(String via) throws IOException {
    Path args = tmp.resolve("args.txt");
    Files.writeString(args, "zebrafish\n");
    Map<String, String> env = via.equals("standalone") ? Map.of("CIDX_NO_DAEMON", "1") : Map.of();

    Result r = CidxProcess.run(dir, env, "query", "--fts", "--json", "@" + args);

    assertThat(r.json().get("query").asText()).isEqualTo("@" + args);
    assertThat(r.exit()).isEqualTo(1);
  }

  // --- helpers

  private void ensureDaemon() {
    if (DaemonControl.ping(repo).isEmpty()) {
      Result r = CidxProcess.run(dir, "query", "--fts", "zebrafish", "-q");
      assertThat(r.err()).isEmpty();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (Files.exists(root)) {
      try (var paths = Files.walk(root)) {
        for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      }
    }
  }

  private String log() throws IOException {
    return Files.readString(repo.logFile(), StandardCharsets.UTF_8);
  }

  /** What a {@code run} request printed and how it ended: an exit code, or a protocol error's message. */
  record RawRun(Integer exitCode, String error, String stdout, String stderr) {}

  private RawRun rawRun(Path cwd, String... argv) throws IOException {
    ObjectNode params = JSON.createObjectNode();
    params.set("argv", JSON.valueToTree(List.of(argv)));
    params.put("cwd", cwd.toString());
    params.put("client_version", Version.CIDX);
    params.put("protocol_version", Version.PROTOCOL);
    ObjectNode request = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 7).put("method", "run");
    request.set("params", params);
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    try (LineSocket socket = new LineSocket(repo.socketPath())) {
      socket.send(JSON.writeValueAsString(request) + "\n");
      while (true) {
        JsonNode line = socket.read(Duration.ofSeconds(60));
        if (line == null) {
          throw new AssertionError("the daemon closed the connection; out: " + out + ", err: " + err);
        }
        if ("output".equals(line.path("method").asText())) {
          (line.get("params").get("stream").asText().equals("stdout") ? out : err)
              .append(line.get("params").get("text").asText());
        } else if (line.has("result")) {
          return new RawRun(line.get("result").get("exit_code").asInt(), null, out.toString(), err.toString());
        } else if (line.has("error")) {
          return new RawRun(null, line.get("error").get("message").asText(), out.toString(), err.toString());
        }
      }
    }
  }

  /** Fails when text holds a C0 control other than newline and tab, DEL, a C1 control or a bidi control. */
  private static void assertNoRawControls(String text) {
    List<String> found = new ArrayList<>();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean control = (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f)
          || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
      if (control) {
        found.add(String.format("U+%04X at %d", (int) c, i));
      }
    }
    assertThat(found).as("raw control characters in:\n" + text).isEmpty();
  }
}
