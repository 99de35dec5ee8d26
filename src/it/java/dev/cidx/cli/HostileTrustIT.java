package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.cli.StandaloneSearchIT.Run;
import dev.cidx.client.DaemonControl;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.JsonLines;
import dev.cidx.testing.CidxProcess;
import dev.cidx.testing.CidxProcess.Result;
import dev.cidx.testing.FakeDaemon;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files and sockets cidx trusts, attacked for real: the real {@code bin/cidx} launcher ({@link CidxProcess})
 * and real daemon processes, with another user's files made by {@code chown nobody} (tests run as root)
 * and another user's process run with {@code setpriv}. Each test plants one attack and checks what the
 * user sees: one line naming the refused path, and an answer computed without the untrusted part.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileTrustIT {
  @TempDir static Path tmp;

  private Path configHome;
  private RepoPaths repo;
  private final List<RepoPaths> daemons = new ArrayList<>();

  @BeforeAll
  void indexASmallRepository() throws Exception {
    // Others may traverse the temp tree: the foreign-peer test runs a process as nobody.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    configHome = Files.createDirectories(tmp.resolve("config-home"));
    repo = indexed(tmp.resolve("repo"));
  }

  @AfterEach
  void stopDaemons() {
    for (RepoPaths r : daemons) {
      try {
        DaemonCommands.stop(r);
      } catch (RuntimeException e) {
        killLeftover(r);
      }
    }
    daemons.clear();
  }

  @AfterAll
  void killLeftovers() {
    killLeftover(repo);
  }

  // --- a .code-indexer planted above the user's checkout

  @Test
  void foreignCodeIndexerAboveTheCheckout_isIgnored_withOneLineSayingHowToTrustIt() throws Exception {
    Path shared = indexed(tmp.resolve("shared")).root();
    chownNobody(shared.resolve(".code-indexer"));
    Path checkout = Files.createDirectories(shared.resolve("work/checkout"));

    Result r = cidx(checkout, Map.of(), "query", "--fts", "retry");

    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("cidx: ignoring " + shared.resolve(".code-indexer") + ": it belongs to nobody, not"
        + " you; to trust it, add " + shared + " to CIDX_SAFE_DIRECTORIES or to \"safe_directories\" in "
        + configHome.resolve("cidx/config.json") + "\n"
        + "cidx: no index here: run `cidx init` then `cidx index`\n");
  }

  @Test
  void foreignCodeIndexer_isTrusted_whenCidxSafeDirectoriesNamesIt() throws Exception {
    Path shared = indexed(tmp.resolve("trusted")).root();
    chownNobody(shared.resolve(".code-indexer"));
    Path checkout = Files.createDirectories(shared.resolve("work/checkout"));

    Result r = cidx(checkout, Map.of("CIDX_SAFE_DIRECTORIES", "/nowhere:" + shared), "query", "--fts", "retry", "-q");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Retry.java");
    assertThat(r.err()).doesNotContain("ignoring");
    // Trusting its index is not trusting a socket in a directory nobody owns: that query ran standalone.
    assertThat(r.err()).isEqualTo("cidx: the socket directory " + shared.resolve(".code-indexer") + " is owned by"
        + " nobody, not you; cidx will not talk to a daemon there; running standalone\n");
  }

  // --- sockets that are not the user's

  @Test
  void daemonSocketOwnedByAnotherUser_isRefused_andTheQueryAnswersStandalone() throws Exception {
    long pid = startDaemon(repo);
    Files.setOwner(repo.socketPath(), nobody());
    try {
      Result r = cidx(repo.root(), Map.of(), "query", "--fts", "retry", "-q");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("Retry.java");
      assertThat(r.err()).isEqualTo("cidx: the daemon socket " + repo.socketPath() + " is owned by nobody, not you;"
          + " cidx will not talk to it; running standalone\n");
    } finally {
      Files.setOwner(repo.socketPath(), me());
    }
    assertThat(DaemonControl.ping(repo).orElseThrow().pid()).as("the daemon was left alone").isEqualTo(pid);
  }

  @Test
  void fakeDaemonOnASocketOwnedByAnotherUser_neverHearsTheQuery() throws Exception {
    RepoPaths fresh = indexed(tmp.resolve("fake-target"));
    try (FakeDaemon fake = new FakeDaemon(fresh.socketPath(), request -> new FakeDaemon.Reply(List.of(), true))) {
      Files.setOwner(fresh.socketPath(), nobody());

      Result r = cidx(fresh.root(), Map.of(), "query", "--fts", "retry", "-q");

      assertThat(fake.methods).as("requests the impostor received").isEmpty();
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.err()).endsWith("is owned by nobody, not you; cidx will not talk to it; running standalone\n");
    }
  }

  @Test
  void socketPathThatIsARegularFile_isRefused_andTheQueryAnswersStandalone() throws Exception {
    RepoPaths fresh = indexed(tmp.resolve("regular-file"));
    Files.writeString(fresh.socketPath(), "planted");

    Result r = cidx(fresh.root(), Map.of(), "query", "--fts", "retry", "-q");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Retry.java");
    assertThat(r.err()).isEqualTo("cidx: the daemon socket " + fresh.socketPath() + " is a regular file, not a"
        + " socket; cidx will not talk to it: remove it; running standalone\n");
    assertThat(Files.readString(fresh.socketPath())).isEqualTo("planted");
  }

  @Test
  void socketPathThatIsASymlink_isNotFollowed() throws Exception {
    RepoPaths fresh = indexed(tmp.resolve("symlink"));
    Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try (FakeDaemon fake = new FakeDaemon(elsewhere.resolve("s.sock"), request -> new FakeDaemon.Reply(List.of(), true))) {
      Files.createSymbolicLink(fresh.socketPath(), elsewhere.resolve("s.sock"));

      Result r = cidx(fresh.root(), Map.of(), "query", "--fts", "retry", "-q");

      assertThat(fake.methods).as("requests sent through the link").isEmpty();
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("Retry.java");
      assertThat(r.err()).isEqualTo("cidx: the daemon socket " + fresh.socketPath() + " is a symbolic link, not a"
          + " socket; cidx will not talk to it: remove it; running standalone\n");
    }
  }

  @Test
  void socketDirectoryWritableByOthers_isRefused_andTheQueryAnswersStandalone() throws Exception {
    startDaemon(repo);
    Path dir = repo.dataDir();
    Set<java.nio.file.attribute.PosixFilePermission> before = Files.getPosixFilePermissions(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    try {
      Result r = cidx(repo.root(), Map.of(), "query", "--fts", "retry", "-q");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("Retry.java");
      assertThat(r.err()).isEqualTo("cidx: the socket directory " + dir + " is writable by others (mode 0777); cidx"
          + " will not talk to a daemon there: run `chmod go-w " + dir + "`; running standalone\n");
    } finally {
      Files.setPosixFilePermissions(dir, before);
    }
  }

  @Test
  void daemon_closesAConnectionFromAnotherUser_unanswered() throws Exception {
    long pid = startDaemon(repo);
    // Loosen what normally keeps nobody out (a 0700 .code-indexer, a 0600 socket), as a careless chmod or
    // umask would: the daemon's own check is the last line.
    Set<java.nio.file.attribute.PosixFilePermission> before = Files.getPosixFilePermissions(repo.socketPath());
    Set<java.nio.file.attribute.PosixFilePermission> dirBefore = Files.getPosixFilePermissions(repo.dataDir());
    Files.setPosixFilePermissions(repo.dataDir(), PosixFilePermissions.fromString("rwx--x--x"));
    Files.setPosixFilePermissions(repo.socketPath(), PosixFilePermissions.fromString("rw-rw-rw-"));
    try {
      String answer = runAsNobody(repo.socketPath());
      assertThat(answer).as("what nobody's ping received").isEqualTo("received: ''");
      assertThat(Files.readString(repo.logFile(), StandardCharsets.UTF_8))
          .contains("closed a connection from nobody: this daemon serves only its own user");
    } finally {
      Files.setPosixFilePermissions(repo.socketPath(), before);
      Files.setPosixFilePermissions(repo.dataDir(), dirBefore);
    }
    assertThat(DaemonControl.ping(repo).orElseThrow().pid()).as("the owner is still served").isEqualTo(pid);
  }

  // --- one repository, two spellings, one daemon

  @Test
  void twoSpellingsOfOneRepository_reachOneDaemon() throws Exception {
    // Deep enough that the socket moves to the fallback directory, named by a hash of the root.
    Path deep = tmp.resolve("d".repeat(40)).resolve("e".repeat(40)).resolve("spelled");
    RepoPaths spelled = indexed(deep);
    assertThat(spelled.socketPath().startsWith(spelled.dataDir())).as("uses the fallback socket").isFalse();
    Path link = Files.createSymbolicLink(tmp.resolve("short"), deep);
    Path runtime = Files.createDirectory(tmp.resolve("runtime"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Map<String, String> env = Map.of("XDG_RUNTIME_DIR", runtime.toString());
    daemons.add(spelled);

    Result viaReal = cidx(tmp, env, "query", "--path", deep.toString(), "--fts", "retry", "-q");
    Result viaLink = cidx(tmp, env, "query", "--path", "short", "--fts", "retry", "-q");
    Result viaDots = cidx(tmp, env, "query", "--path", "short/../short/.", "--fts", "retry", "-q");

    assertThat(viaReal.err()).isEmpty();
    assertThat(viaLink.err()).isEmpty();
    assertThat(viaDots.err()).isEmpty();
    assertThat(viaLink.out()).isEqualTo(viaReal.out()).isEqualTo(viaDots.out()).contains("Retry.java");
    Result pingReal = cidx(tmp, env, "ping", "--path", deep.toString());
    Result pingLink = cidx(tmp, env, "ping", "--path", link.toString());
    assertThat(pid(pingLink)).isEqualTo(pid(pingReal));
    try (Stream<Path> sockets = Files.list(runtime.resolve("cidx"))) {
      assertThat(sockets.toList()).as("one daemon socket").hasSize(1);
    }
  }

  // --- a vector file crafted to run or exhaust the reader

  @Test
  void craftedVectorFile_isADamagedIndex_rejectedWithoutRunningIt() throws Exception {
    RepoPaths fresh = indexed(tmp.resolve("crafted"));
    Path vectors;
    try (Stream<Path> files = Files.list(fresh.indexDir())) {
      vectors = files.filter(p -> p.getFileName().toString().matches("vectors-\\d+\\.hnsw")).findFirst().orElseThrow();
    }
    Files.write(vectors, serialized(nestedSets(60)));

    // Standalone and in the daemon: the semantic half loads the vector file.
    Result standalone = cidx(fresh.root(), Map.of("CIDX_NO_DAEMON", "1"), "query", "retry with backoff");
    daemons.add(fresh);
    Result daemon = cidx(fresh.root(), Map.of(), "query", "retry with backoff");

    for (Result r : List.of(standalone, daemon)) {
      assertThat(r.exit()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).contains("the index is damaged: its vector file " + vectors.getFileName() + " is unreadable")
          .contains("run `cidx index --clear` to rebuild it")
          .doesNotContain("\tat ");
    }
  }

  // --- helpers

  private Result cidx(Path cwd, Map<String, String> env, String... args) {
    Map<String, String> all = new HashMap<>(env);
    all.put("XDG_CONFIG_HOME", configHome.toString());
    all.putIfAbsent("CIDX_SAFE_DIRECTORIES", null);
    return CidxProcess.run(cwd, all, args);
  }

  /** A small indexed repository at {@code root}, indexed in this JVM without a daemon. */
  private static RepoPaths indexed(Path root) throws IOException {
    Files.createDirectories(root.resolve("src"));
    Files.writeString(root.resolve("src/Retry.java"),
        "class Retry {\n  /** Retry with exponential backoff. */\n  void retryWithBackoff() {}\n}\n");
    Files.writeString(root.resolve("src/Cache.java"), "class Cache {\n  void evictLeastRecentlyUsed() {}\n}\n");
    assertThat(StandaloneSearchIT.cidx(root, "init").exit()).isZero();
    Run index = StandaloneSearchIT.cidx(root, "index");
    assertThat(index.exit()).as(index.err()).isZero();
    return new RepoPaths(root);
  }

  /** Starts the repository's daemon through a query and returns its pid. */
  private long startDaemon(RepoPaths r) {
    daemons.add(r);
    Result warm = cidx(r.root(), Map.of(), "query", "--fts", "retry", "-q");
    assertThat(warm.err()).isEmpty();
    return DaemonControl.ping(r).orElseThrow().pid();
  }

  private static long pid(Result ping) {
    assertThat(ping.exit()).as(ping.err()).isZero();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("pong from pid (\\d+)").matcher(ping.out());
    assertThat(m.find()).as(ping.out()).isTrue();
    return Long.parseLong(m.group(1));
  }

  /**
   * Connects to {@code socket} as user nobody (util-linux's setpriv) and sends a ping; returns what came
   * back before the answer's newline or the end of the connection, as {@code received: '...'}.
   */
  private static String runAsNobody(Path socket) throws Exception {
    String client = String.join("\n",
        "import socket, sys",
        "s = socket.socket(socket.AF_UNIX)",
        "s.settimeout(60)",
        "s.connect(sys.argv[1])",
        "data = b''",
        "try:",
        "    s.sendall(b'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\\n')",
        "    while not data.endswith(b'\\n'):  # an answer line, or the end of the connection",
        "        chunk = s.recv(4096)",
        "        if not chunk:",
        "            break",
        "        data += chunk",
        "except (ConnectionResetError, BrokenPipeError):",
        "    pass",
        "print('received: ' + repr(data.decode()))");
    Process p = new ProcessBuilder("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
        "/usr/bin/python3", "-c", client, socket.toString())
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(CidxProcess.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
  }

  /**
   * Sets nested {@code depth} deep, each holding two sets that hold the next: deserializing it hashes
   * every path, 2^depth of them (Wouter Coekaerts' SerialDOS). It needs no class beyond java.util, so it
   * stands for every gadget chain on the class path: only a filter that refuses it unread stops it.
   */
  private static Set<Object> nestedSets(int depth) {
    Set<Object> root = new HashSet<>();
    Set<Object> s1 = root;
    Set<Object> s2 = new HashSet<>();
    for (int i = 0; i < depth; i++) {
      Set<Object> t1 = new HashSet<>();
      Set<Object> t2 = new HashSet<>();
      t1.add("x"); // t1 differs from t2 so both stay in the set
      s1.add(t1);
      s1.add(t2);
      s2.add(t1);
      s2.add(t2);
      s1 = t1;
      s2 = t2;
    }
    return root;
  }

  private static byte[] serialized(Object o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  private static void chownNobody(Path dir) throws IOException {
    UserPrincipal nobody = nobody();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Files.setOwner(p, nobody);
      }
    }
  }

  private static UserPrincipal nobody() throws IOException {
    return tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
  }

  private static UserPrincipal me() throws IOException {
    return Files.getOwner(tmp);
  }

  private static void killLeftover(RepoPaths r) {
    try {
      long pid = Long.parseLong(Files.readString(r.lockFile(), StandardCharsets.US_ASCII).trim());
      ProcessHandle.of(pid).filter(p -> p.info().command().orElse("").contains("java"))
          .filter(p -> p.pid() != ProcessHandle.current().pid())
          .ifPresent(ProcessHandle::destroyForcibly);
    } catch (IOException | NumberFormatException e) {
      // no daemon ever ran here
    }
  }
}
