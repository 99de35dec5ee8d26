package dev.cidx.cli;

import static dev.cidx.cli.DaemonCliIT.comparable;
import static dev.cidx.cli.DaemonCliIT.prepend;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cidx.cli.StandaloneSearchIT.Run;
import dev.cidx.client.DaemonControl;
import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.Version;
import dev.cidx.testing.CidxProcess;
import dev.cidx.testing.TestRepo;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native client ({@code target/cidx-native}, src/main/c/cidx-client.c) through {@code bin/cidx}, as a
 * user's shell runs it. Every run gets {@code CIDX_JAVA} pointing at a wrapper that appends a line to a
 * marker file before it starts the real java: a warm query must leave the marker alone (the native
 * client answered), a handover must add to it (the Java launcher answered).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NativeClientIT {
  private static final Path NATIVE = CidxProcess.HOME.resolve("target/cidx-native");
  private static final Path BIN_CIDX = CidxProcess.HOME.resolve("bin/cidx");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path tmp;

  private Path dir;
  private RepoPaths repo;
  private Path javaWrapper;
  private Path javaRuns;

  record Result(int exit, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON (exit " + exit + ", stderr: " + err + "): " + out, e);
      }
    }
  }

  @BeforeAll
  void indexTheExampleRepository() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(NATIVE),
        "the native client was not built (no C compiler when `mvn package` ran): bin/cidx runs Java for every command");
    dir = tmp.resolve("examples");
    StandaloneSearchIT.copyTree(CidxProcess.HOME.resolve("examples"), dir);
    assertThat(StandaloneSearchIT.cidx(dir, "init").exit()).isZero();
    assertThat(StandaloneSearchIT.cidx(dir, "index", "--json").exit()).isZero();
    repo = new RepoPaths(dir);
    javaRuns = tmp.resolve("java-runs.txt");
    javaWrapper = tmp.resolve("java-wrapper.sh");
    Files.writeString(javaWrapper, "#!/bin/sh\necho \"$*\" >> '" + javaRuns + "'\nexec '"
        + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n");
    Files.setPosixFilePermissions(javaWrapper, PosixFilePermissions.fromString("rwx------"));
  }

  @AfterAll
  void stopTheDaemon() {
    if (repo != null) {
      DaemonCommands.stop(repo);
    }
  }

  // --- helpers

  private Result cidx(String... args) {
    return run(BIN_CIDX, dir, Map.of(), args);
  }

  /** Runs {@code program args} in {@code cwd} with the java wrapper, stdin from /dev/null, output to files. */
  private Result run(Path program, Path cwd, Map<String, String> env, String... args) {
    try {
      Path out = Files.createTempFile(tmp, "out", ".txt");
      Path err = Files.createTempFile(tmp, "err", ".txt");
      Process p = processBuilder(program, cwd, env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(CidxProcess.TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("cidx did not finish within " + CidxProcess.TIMEOUT.toSeconds() + " s");
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private ProcessBuilder processBuilder(Path program, Path cwd, Map<String, String> env, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of(program.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    for (String name : List.of("CIDX_NO_DAEMON", "CIDX_DEBUG", "CIDX_NATIVE", "COLUMNS", "NO_COLOR")) {
      pb.environment().remove(name);
    }
    pb.environment().put("CIDX_JAVA", javaWrapper.toString());
    pb.environment().putAll(env);
    return pb;
  }

  /** How many times the Java launcher has started so far. */
  private long javaRuns() throws IOException {
    return Files.exists(javaRuns) ? Files.readAllLines(javaRuns).size() : 0;
  }

  private long ensureDaemon() {
    Result r = cidx("query", "--fts", "warm", "-q", "-l", "1");
    assertThat(r.err()).isEmpty();
    return DaemonControl.ping(repo).orElseThrow().pid();
  }

  // --- the tests

  @Test
  @Order(1)
  void noDaemon_handsOverToJava_whichStartsOne_thenTheNextQueryIsNative() throws IOException {
    DaemonCommands.stop(repo);
    long before = javaRuns();
    Result cold = cidx("query", "retry", "--json", "-l", "3");
    assertThat(cold.exit()).as(cold.err()).isZero();
    assertThat(cold.err()).isEmpty();
    assertThat(cold.json().path("via").asText()).isEqualTo("daemon");
    assertThat(javaRuns()).as("the Java launcher started the daemon").isEqualTo(before + 1);

    Result warm = cidx("query", "retry", "--json", "-l", "3");
    assertThat(warm.exit()).as(warm.err()).isZero();
    assertThat(comparable(warm.out())).isEqualTo(comparable(cold.out()));
    assertThat(javaRuns()).as("no JVM for a warm query").isEqualTo(before + 1);
  }

  /** Every query option, through the native client and standalone: same output, exit code and stderr. */
  @Test
  @Order(2)
  void everyQueryOption_givesTheSameOutputThroughTheNativeClientAsStandalone() throws IOException {
    ensureDaemon();
    long before = javaRuns();
    for (List<String> options : DaemonCliIT.EVERY_QUERY_OPTION) {
      String[] argv = prepend("query", options);
      Result viaNative = cidx(argv);
      Run alone = StandaloneSearchIT.cidx(dir, argv);
      String what = String.join(" ", options);
      assertThat(viaNative.exit()).as(what + ": " + viaNative.err()).isEqualTo(alone.exit());
      assertThat(viaNative.err()).as(what).isEqualTo(alone.err());
      assertThat(comparable(viaNative.out())).as(what).isEqualTo(comparable(alone.out()));
      if (options.contains("--json")) {
        assertThat(viaNative.json().path("via").asText()).as(what).isEqualTo("daemon");
      }
    }
    assertThat(javaRuns()).as("every one answered without a JVM").isEqualTo(before);
  }

  @Test
  @Order(3)
  void badOptionsAndWarnings_goToStderr_withTheDaemonsExitCode() throws IOException {
    ensureDaemon();
    long before = javaRuns();
    for (List<String> options : DaemonCliIT.BAD_QUERY_OPTIONS) {
      String[] argv = prepend("query", options);
      Result viaNative = cidx(argv);
      Run alone = StandaloneSearchIT.cidx(dir, argv);
      String what = String.join(" ", options);
      assertThat(viaNative.exit()).as(what).isEqualTo(2);
      assertThat(viaNative.err()).as(what).isEqualTo(alone.err()).startsWith("cidx: ");
      assertThat(viaNative.out()).as(what).isEmpty();
    }
    Result noMatch = cidx("query", "retry", "--path-filter", "nosuch/**");
    assertThat(noMatch.exit()).isEqualTo(1);
    assertThat(noMatch.out()).isEqualTo("no results for \"retry\" (hybrid)\n");
    assertThat(noMatch.err()).isEqualTo("cidx: --path-filter 'nosuch/**' matches no indexed file\n");
    assertThat(javaRuns()).isEqualTo(before);
  }

  @Test
  @Order(4)
  void noRepository_handsOverToJava_whichExplains() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("no-repo"));
    long before = javaRuns();
    Result r = run(BIN_CIDX, empty, Map.of(), "query", "retry");
    Run alone = StandaloneSearchIT.cidx(empty, "query", "retry");
    assertThat(r.exit()).isEqualTo(alone.exit()).isEqualTo(2);
    assertThat(r.err()).isEqualTo(alone.err());
    assertThat(javaRuns()).isEqualTo(before + 1);
  }

  @Test
  @Order(5)
  void daemonDisabled_orSwitchedOff_handsOverToJava_whichRunsStandalone() throws Exception {
    ensureDaemon();
    CidxConfig config = CidxConfig.load(repo.configFile());
    long before = javaRuns();
    try {
      TestRepo.writeConfig(repo, config.withDaemon(config.daemon().withEnabled(false)));
      assertThat(cidx("query", "retry", "--json").json().path("via").asText()).isEqualTo("standalone");
      TestRepo.writeRaw(repo, "{\"daemon\": {\"enabled\": \"yes\"}}");
      Result bad = cidx("query", "retry");
      assertThat(bad.exit()).isEqualTo(2);
      assertThat(bad.err()).contains("daemon.enabled (yes) must be true or false");
    } finally {
      TestRepo.writeConfig(repo, config);
    }
    assertThat(javaRuns()).isEqualTo(before + 2);
    assertThat(cidx("query", "retry", "--json", "--no-daemon").json().path("via").asText()).isEqualTo("standalone");
    assertThat(run(BIN_CIDX, dir, Map.of("CIDX_NO_DAEMON", "1"), "query", "retry", "--json").json().path("via").asText())
        .isEqualTo("standalone");
    Result forced = run(BIN_CIDX, dir, Map.of("CIDX_NATIVE", "0"), "query", "retry", "--json");
    assertThat(forced.json().path("via").asText()).isEqualTo("daemon");
    assertThat(javaRuns()).isEqualTo(before + 5);
    assertThat(cidx("query", "retry", "--json").json().path("via").asText()).isEqualTo("daemon");
    assertThat(javaRuns()).isEqualTo(before + 5);
  }

  /**
   * A native client of another build: the daemon refuses its {@code run} before running anything, and it
   * hands over to Java, which this daemon matches. The client is built here with another version, beside
   * a {@code bin/cidx} link so that its handover finds the launcher.
   */
  @Test
  @Order(6)
  void anotherVersion_isRefusedByTheDaemon_andHandedOverToJava_withoutDoubleOutput() throws Exception {
    long pid = ensureDaemon();
    Path home = tmp.resolve("other-build");
    Files.createDirectories(home.resolve("target"));
    Files.createDirectories(home.resolve("bin"));
    Files.createSymbolicLink(home.resolve("bin/cidx"), BIN_CIDX);
    Path other = home.resolve("target/cidx-native");
    Process cc = new ProcessBuilder("cc", "-std=c11", "-DCIDX_VERSION=\"0.0.1+another-build\"", "-o", other.toString(),
        CidxProcess.HOME.resolve("src/main/c/cidx-client.c").toString()).inheritIO().start();
    Assumptions.assumeTrue(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0, "cc could not build a second client");

    long before = javaRuns();
    Result r = run(other, dir, Map.of(), "query", "retry", "-l", "3");
    Run alone = StandaloneSearchIT.cidx(dir, "query", "retry", "-l", "3");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(comparable(r.out())).isEqualTo(comparable(alone.out()));
    assertThat(javaRuns()).isEqualTo(before + 1);
    assertThat(DaemonControl.ping(repo).orElseThrow().pid()).as("the daemon of this build stays").isEqualTo(pid);
  }

  @Test
  @Order(7)
  void untrustedSocketOrDirectory_isNotUsed_butHandedOverToJava() throws Exception {
    ensureDaemon();
    Path socket = repo.socketPath();
    long before = javaRuns();
    try {
      chown("nobody:nogroup", socket);
      cidx("query", "retry", "-q"); // what Java makes of it is Java's business; it must be Java that decides
      assertThat(javaRuns()).isEqualTo(before + 1);
    } finally {
      chown("root:root", socket);
    }
    try {
      Files.setPosixFilePermissions(repo.dataDir(), PosixFilePermissions.fromString("rwxrwxrwx"));
      cidx("query", "retry", "-q");
      assertThat(javaRuns()).isEqualTo(before + 2);
    } finally {
      Files.setPosixFilePermissions(repo.dataDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    assertThat(cidx("query", "retry", "-q").exit()).isZero();
    assertThat(javaRuns()).isEqualTo(before + 2);
  }

  /**
   * A client killed while the daemon streams to it (its stdout a pipe nobody reads, so it blocks
   * mid-stream): the daemon notices, drops the connection and answers the next client.
   */
  @Test
  @Order(8)
  void clientKilledMidStream_leavesTheDaemonServing() throws Exception {
    long pid = ensureDaemon();
    int connectionsBefore = DaemonControl.statusJson(repo).orElseThrow().path("open_connections").asInt();
    Process p = processBuilder(BIN_CIDX, dir, Map.of(), "query", "retry", "-l", "500", "--snippet-lines", "200")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (InputStream out = p.getInputStream()) {
      assertThat(out.read()).as("output started").isNotEqualTo(-1);
      assertThat(p.isAlive()).as("blocked on the full pipe").isTrue();
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> DaemonControl.statusJson(repo).orElseThrow()
        .path("open_connections").asInt() <= connectionsBefore);
    Result next = cidx("query", "retry", "--json", "-l", "3");
    assertThat(next.exit()).as(next.err()).isZero();
    assertThat(next.json().path("results").size()).isEqualTo(3);
    assertThat(DaemonControl.ping(repo).orElseThrow().pid()).isEqualTo(pid);
  }

  @Test
  @Order(9)
  void theNativeClientCarriesTheJarsVersion() throws IOException {
    byte[] binary = Files.readAllBytes(NATIVE);
    assertThat(new String(binary, StandardCharsets.ISO_8859_1)).contains(Version.CIDX);
  }

  /**
   * Answers one connection on {@code repo}'s socket with {@code lines} after reading the request, then
   * closes. Returns the request line.
   */
  private static java.util.concurrent.Future<String> fakeDaemon(RepoPaths repo, String... lines) throws IOException {
    java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
    server.bind(java.net.UnixDomainSocketAddress.of(repo.socketPath()));
    java.util.concurrent.FutureTask<String> task = new java.util.concurrent.FutureTask<>(() -> {
      try (server; java.nio.channels.SocketChannel c = server.accept()) {
        java.io.BufferedReader in = new java.io.BufferedReader(
            new java.io.InputStreamReader(java.nio.channels.Channels.newInputStream(c), StandardCharsets.UTF_8));
        String request = in.readLine();
        java.io.OutputStream out = java.nio.channels.Channels.newOutputStream(c);
        for (String line : lines) {
          out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
        return request;
      } finally {
        Files.deleteIfExists(repo.socketPath());
      }
    });
    Thread thread = new Thread(task, "fake-daemon");
    thread.setDaemon(true);
    thread.start();
    return task;
  }

  private Result nativeAgainstFake(RepoPaths fake, Map<String, String> env, String... args) throws IOException {
    Path stub = tmp.resolve("java-stub.sh"); // records the handover and prints one line instead of running Java
    Files.writeString(stub, "#!/bin/sh\necho \"$*\" >> '" + javaRuns + "'\necho 'the Java launcher ran'\n");
    Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("CIDX_JAVA", stub.toString());
    return run(BIN_CIDX, fake.root(), all, args);
  }

  /** The request is the one the Java client sends: same argv, cwd, terminal, CIDX_ environment and version. */
  @Test
  @Order(10)
  void theRequest_isTheJavaClients_andTheExitCodeAndStreamsAreTheDaemons() throws Exception {
    RepoPaths fake = TestRepo.create(tmp.resolve("fake-exit"));
    var request = fakeDaemon(fake,
        "{\"jsonrpc\":\"2.0\",\"method\":\"output\",\"params\":{\"id\":1,\"stream\":\"stdout\",\"text\":\"out \\u00e9\\ud83d\\ude00 \\\"q\\\"\\n\"}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"progress\",\"params\":{}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"output\",\"params\":{\"id\":1,\"stream\":\"stderr\",\"text\":\"err\\n\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"exit_code\":0}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"exit_code\":7}}");
    long before = javaRuns();
    Result r = nativeAgainstFake(fake, Map.of("CIDX_DEBUG", "x\"y", "COLUMNS", " 77 "), "query", "say \"hi\" \\ now", "-l", "2");
    assertThat(r.exit()).as(r.err()).isEqualTo(7);
    assertThat(r.out()).isEqualTo("out \u00e9\ud83d\ude00 \"q\"\n");
    assertThat(r.err()).isEqualTo("err\n");
    assertThat(javaRuns()).isEqualTo(before);

    JsonNode sent = JSON.readTree(request.get(30, TimeUnit.SECONDS));
    Map<String, String> env = new java.util.HashMap<>();
    System.getenv().forEach((k, v) -> {
      if (k.startsWith("CIDX_") && !List.of("CIDX_NO_DAEMON", "CIDX_NATIVE").contains(k)) {
        env.put(k, v);
      }
    });
    env.put("CIDX_DEBUG", "x\"y");
    env.put("CIDX_JAVA", tmp.resolve("java-stub.sh").toString());
    var params = new dev.cidx.protocol.Messages.RunParams(List.of("query", "say \"hi\" \\ now", "-l", "2"),
        fake.root().toString(), new dev.cidx.protocol.Messages.TerminalInfo(false, false, 77), env);
    JsonNode expected = JSON.readTree(dev.cidx.protocol.StreamingCodec.request(1, "run", params));
    assertThat(sent).isEqualTo(expected);
  }

  @Test
  @Order(11)
  void anErrorOrAStrangeLineBeforeOutput_handsOverToJava_once() throws Exception {
    RepoPaths fake = TestRepo.create(tmp.resolve("fake-before"));
    for (String answer : List.of("not json",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32004,\"message\":\"version mismatch\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"bad\"}}")) {
      var request = fakeDaemon(fake, answer);
      long before = javaRuns();
      Result r = nativeAgainstFake(fake, Map.of(), "query", "retry");
      assertThat(request.get(30, TimeUnit.SECONDS)).as(answer).contains("\"method\":\"run\"");
      assertThat(r.out()).as(answer).isEqualTo("the Java launcher ran\n");
      assertThat(r.err()).as(answer).isEmpty();
      assertThat(javaRuns()).as(answer).isEqualTo(before + 1);
    }
  }

  @Test
  @Order(12)
  void aDaemonLostAfterOutputBegan_isOneLineAndExitTwo_neverARerun() throws Exception {
    RepoPaths fake = TestRepo.create(tmp.resolve("fake-after"));
    fakeDaemon(fake, "{\"jsonrpc\":\"2.0\",\"method\":\"output\",\"params\":{\"stream\":\"stdout\",\"text\":\"first\\n\"}}");
    long before = javaRuns();
    Result r = nativeAgainstFake(fake, Map.of(), "query", "retry");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEqualTo("first\n");
    assertThat(r.err()).isEqualTo("cidx: daemon unavailable (the daemon closed the connection during run) after the command"
        + " had started; see " + fake.logFile() + "\n");
    assertThat(javaRuns()).isEqualTo(before);
  }

  private static void chown(String owner, Path path) throws Exception {
    Process p = new ProcessBuilder("chown", "-h", owner, path.toString()).inheritIO().start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0).as("chown " + owner + " " + path).isTrue();
  }
}
