package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.testing.CidxProcess;
import dev.cidx.testing.CidxProcess.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository cloned from a stranger plants links where cidx keeps its own files, and cidx is run in it
 * as a user would run it ({@code bin/cidx}'s launcher, the daemon it starts). Each attack asserts that the
 * link's target is byte for byte untouched, that cidx says which path it refused in one line without a
 * stack trace, and exits 2 (or, for the fallback socket directory, answers standalone). The other tests
 * check the modes of what cidx writes: 0700 directories and 0600 files, old indexes tightened.
 */
class HostileFilesIT {
  private static final String SOURCE = "class Greeter { void hello() { System.out.println(\"hello\"); } }\n";

  @TempDir
  Path tmp;

  private Path repo;
  private Path victim;
  private Path victimFile;
  private final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void makeRepositoryAndVictim() throws Exception {
    victim = Files.createDirectories(tmp.resolve("victim"));
    victimFile = Files.writeString(victim.resolve("notes.txt"), "precious\n");
    // Never the machine's real runtime directory: a test that reaches the fallback uses this one.
    env.put("XDG_RUNTIME_DIR", Files.createDirectories(tmp.resolve("xdg")).toString());
    repo = Files.createDirectories(tmp.resolve("repo"));
    makeRepository(repo);
  }

  private void makeRepository(Path dir) throws Exception {
    git(dir, "init", "-q");
    Files.writeString(dir.resolve("Greeter.java"), SOURCE);
  }

  @AfterEach
  void stopDaemon() {
    CidxProcess.run(repo, env, "daemon", "stop");
  }

  // --- attacks on files in .code-indexer

  @Test
  void aLinkedDaemonLock_isRefusedByAQuery_andItsTargetUntouched() throws Exception {
    init();
    Files.createSymbolicLink(repo.resolve(".code-indexer/daemon.lock"), victimFile);
    Map<String, String> before = snapshot(victim);

    Result query = cidx("query", "hello");

    assertThat(snapshot(victim)).isEqualTo(before);
    assertRefused(query, "`.code-indexer/daemon.lock` is a symbolic link; cidx will not write through it: remove it");
  }

  @Test
  void aLinkedDaemonLog_isRefusedByAQuery_andItsTargetUntouched() throws Exception {
    init();
    Files.createSymbolicLink(repo.resolve(".code-indexer/daemon.log"), victimFile);
    Map<String, String> before = snapshot(victim);

    Result query = cidx("query", "hello");

    assertThat(snapshot(victim)).isEqualTo(before);
    assertRefused(query, "`.code-indexer/daemon.log` is a symbolic link; cidx will not write through it: remove it");
  }

  @Test
  void aLinkedEmbeddingCache_isRefusedByIndexingInTheDaemon_andItsTargetUntouched() throws Exception {
    init();
    Files.createSymbolicLink(repo.resolve(".code-indexer/embeddings.cache"), victimFile);
    Map<String, String> before = snapshot(victim);

    Result index = cidx("index");

    assertThat(snapshot(victim)).isEqualTo(before);
    assertThat(index.exit()).as(index.err()).isEqualTo(2);
    assertThat(index.err()).contains("`.code-indexer/embeddings.cache` is a symbolic link; cidx will not write "
        + "through it: remove it").doesNotContain("\tat ");
  }

  @Test
  void aLinkedEmbeddingCache_isRefusedByStandaloneIndexing() throws Exception {
    init();
    Files.createSymbolicLink(repo.resolve(".code-indexer/embeddings.cache"), victimFile);
    Map<String, String> before = snapshot(victim);

    Result index = cidx(Map.of("CIDX_NO_DAEMON", "1"), "index");

    assertThat(snapshot(victim)).isEqualTo(before);
    assertRefused(index, "`.code-indexer/embeddings.cache` is a symbolic link; cidx will not write through it: remove it");
  }

  @Test
  void aLinkedIndexDirectory_isRefused_andItsTargetUntouched() throws Exception {
    init();
    Files.createSymbolicLink(repo.resolve(".code-indexer/index"), victim);
    Map<String, String> before = snapshot(victim);

    Result index = cidx(Map.of("CIDX_NO_DAEMON", "1"), "index");

    assertThat(snapshot(victim)).isEqualTo(before);
    assertRefused(index, "`.code-indexer/index` is a symbolic link; cidx will not write through it: remove it");
  }

  @Test
  void aLinkedLuceneLockInsideTheIndex_isRefused_andItsTargetNotCreated() throws Exception {
    init();
    Files.createDirectories(repo.resolve(".code-indexer/index"));
    Path created = victim.resolve("created-by-lucene");
    Files.createSymbolicLink(repo.resolve(".code-indexer/index/write.lock"), created);
    Map<String, String> before = snapshot(victim);

    Result index = cidx(Map.of("CIDX_NO_DAEMON", "1"), "index");

    assertThat(snapshot(victim)).isEqualTo(before);
    assertRefused(index, "`.code-indexer/index/write.lock` is a symbolic link; cidx will not write through it: remove it");
  }

  @Test
  void aLinkedConfig_isNotReplacedBySettingAnOption() throws Exception {
    init();
    Path config = repo.resolve(".code-indexer/config.json");
    Path victimConfig = Files.copy(config, victim.resolve("config.json"));
    Files.delete(config);
    Files.createSymbolicLink(config, victimConfig);
    Map<String, String> before = snapshot(victim);

    Result set = cidx("config", "--daemon-ttl", "5");

    assertThat(snapshot(victim)).isEqualTo(before);
    assertRefused(set, "`.code-indexer/config.json` is a symbolic link; cidx will not write through it: remove it");
    assertThat(Files.isSymbolicLink(config)).as("left as it was, for the user to inspect").isTrue();
  }

  @Test
  void aLinkedGitignore_isRefusedByInit_andItsTargetUntouched() throws Exception {
    Files.createDirectories(repo.resolve(".code-indexer"));
    Files.createSymbolicLink(repo.resolve(".code-indexer/.gitignore"), victimFile);
    Map<String, String> before = snapshot(victim);

    Result init = cidx("init");

    assertThat(snapshot(victim)).isEqualTo(before);
    assertRefused(init, "`.code-indexer/.gitignore` is a symbolic link; cidx will not write through it: remove it");
  }

  @Test
  void aLinkedDataDirectory_isRefusedByInit_andByIndex_andItsTargetUntouched() throws Exception {
    Files.createSymbolicLink(repo.resolve(".code-indexer"), victim);
    Map<String, String> before = snapshot(victim);

    Result init = cidx("init");
    assertThat(snapshot(victim)).isEqualTo(before);
    assertRefused(init, "`.code-indexer` is a symbolic link; cidx will not write through it: remove it");

    // The victim directory happens to hold a config: discovery finds it through the link.
    Files.writeString(victim.resolve("config.json"), "{}\n");
    before = snapshot(victim);
    Result index = cidx("index");
    assertThat(snapshot(victim)).isEqualTo(before);
    assertRefused(index, "`.code-indexer` is a symbolic link; cidx will not write through it: remove it");
  }

  // --- the fallback socket directory

  @Test
  void aLinkedFallbackSocketDirectory_isRefused_andTheQueryAnswersStandalone() throws Exception {
    Path deep = deepRepository();
    Path fallback = Path.of(env.get("XDG_RUNTIME_DIR"), "cidx");
    Files.createSymbolicLink(fallback, victim);
    Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> before = snapshot(victim);

    Result query = CidxProcess.run(deep, env, "query", "--fts", "hello", "-q");

    assertThat(snapshot(victim)).as("the target directory, its mode included").isEqualTo(before);
    assertStandaloneAnswer(query, "`" + fallback + "` is a symbolic link; cidx will not write through it: remove it");
  }

  @Test
  void anOpenFallbackSocketDirectory_isRefused_notChanged() throws Exception {
    Path deep = deepRepository();
    Path fallback = Files.createDirectory(Path.of(env.get("XDG_RUNTIME_DIR"), "cidx"));
    Files.setPosixFilePermissions(fallback, PosixFilePermissions.fromString("rwxrwxrwx"));

    Result query = CidxProcess.run(deep, env, "query", "--fts", "hello", "-q");

    assertThat(mode(fallback)).isEqualTo("rwxrwxrwx");
    assertStandaloneAnswer(query, "`" + fallback + "` has mode rwxrwxrwx, not rwx------; cidx will not use it: "
        + "remove it (cidx creates it owner-only)");
    try (Stream<Path> entries = Files.list(fallback)) {
      assertThat(entries).as("no socket put there").isEmpty();
    }
  }

  @Test
  void aFallbackSocketDirectoryOfAnotherUser_isRefused() throws Exception {
    Path deep = deepRepository();
    Path fallback = Files.createDirectory(Path.of(env.get("XDG_RUNTIME_DIR"), "cidx"));
    Files.setPosixFilePermissions(fallback, PosixFilePermissions.fromString("rwx------"));
    UserPrincipal nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(fallback, nobody);

    Result query = CidxProcess.run(deep, env, "query", "--fts", "hello", "-q");

    assertStandaloneAnswer(query, "`" + fallback + "` belongs to nobody, not to ");
    try (Stream<Path> entries = Files.list(fallback)) {
      assertThat(entries).as("no socket put there").isEmpty();
    }
  }

  // --- modes

  @Test
  void aFreshIndex_isOwnerOnly_throughTheDaemon() throws Exception {
    init();
    Result index = cidx("index");
    assertThat(index.exit()).as(index.err()).isZero();
    Result query = cidx("query", "--fts", "hello", "-q");
    assertThat(query.exit()).as(query.err()).isZero();

    assertOwnerOnly(repo.resolve(".code-indexer"));
    assertThat(repo.resolve(".code-indexer/daemon.lock")).exists();
    assertThat(repo.resolve(".code-indexer/daemon.log")).exists();
  }

  @Test
  void anIndexMadeByAnOlderVersion_isTightenedByTheNextIndexRun() throws Exception {
    init();
    Result first = cidx(Map.of("CIDX_NO_DAEMON", "1"), "index");
    assertThat(first.exit()).as(first.err()).isZero();
    try (Stream<Path> all = Files.walk(repo.resolve(".code-indexer"))) {
      for (Path p : all.toList()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    Files.writeString(repo.resolve("Other.java"), "class Other { void bye() {} }\n");

    Result next = cidx(Map.of("CIDX_NO_DAEMON", "1"), "index");

    assertThat(next.exit()).as(next.err()).isZero();
    assertOwnerOnly(repo.resolve(".code-indexer"));
  }

  @Test
  void init_warnsAboutFilesTheRepositoryTracksUnderTheDataDirectory() throws Exception {
    Files.createDirectories(repo.resolve(".code-indexer"));
    Files.writeString(repo.resolve(".code-indexer/daemon.lock"), "1\n");
    git(repo, "add", "-f", ".code-indexer/daemon.lock");

    Result init = cidx("init");

    assertThat(init.exit()).as(init.err()).isZero();
    assertThat(init.err().lines().toList()).containsExactly("cidx: warning: this repository tracks 1 file under "
        + ".code-indexer/ (.code-indexer/daemon.lock); they came from the repository and will not be trusted");
  }

  @Test
  void init_saysNothingWhenTheRepositoryTracksNothingThere() {
    Result init = cidx("init");
    assertThat(init.exit()).as(init.err()).isZero();
    assertThat(init.err()).isEmpty();
  }

  // --- helpers

  private Result cidx(String... args) {
    return cidx(Map.of(), args);
  }

  private Result cidx(Map<String, String> extra, String... args) {
    Map<String, String> all = new HashMap<>(env);
    all.putAll(extra);
    return CidxProcess.run(repo, all, args);
  }

  private void init() {
    Result init = cidx("init");
    assertThat(init.exit()).as(init.err()).isZero();
  }

  private static void assertRefused(Result result, String message) {
    assertThat(result.exit()).as("exit of a refused write; stderr: %s", result.err()).isEqualTo(2);
    assertThat(result.err().lines().toList()).as("one line, no stack trace").containsExactly("cidx: " + message);
  }

  private static void assertStandaloneAnswer(Result result, String message) {
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("Greeter.java");
    assertThat(result.err().lines().toList()).as("one line, no stack trace").hasSize(1);
    assertThat(result.err()).contains(message).contains("running standalone").doesNotContain("\tat ");
  }

  /**
   * A repository whose {@code .code-indexer/daemon.sock} would pass the socket path limit, so the socket
   * goes to the fallback directory; indexed standalone (which never needs a socket).
   */
  private Path deepRepository() throws Exception {
    Path deep = tmp.resolve("d".repeat(60)).resolve("e".repeat(60));
    Files.createDirectories(deep);
    makeRepository(deep);
    Map<String, String> standalone = new HashMap<>(env);
    standalone.put("CIDX_NO_DAEMON", "1");
    assertThat(CidxProcess.run(deep, standalone, "init").exit()).isZero();
    Result index = CidxProcess.run(deep, standalone, "index");
    assertThat(index.exit()).as(index.err()).isZero();
    repo = deep; // stopped after the test, should a daemon have started there
    return deep;
  }

  /** Every directory 0700 and every regular file 0600 under {@code dir} (sockets are the daemon's business). */
  private static void assertOwnerOnly(Path dir) throws IOException {
    List<String> wrong = new ArrayList<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        String mode = mode(p);
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !mode.equals("rwx------")
            || Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !mode.equals("rw-------")) {
          wrong.add(dir.relativize(p) + " " + mode);
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  /** Every entry under {@code dir} with its mode and, for files, its bytes (as Latin-1: any bytes read). */
  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> state = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        String content = Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "<dir>";
        state.put(dir.relativize(p).toString(), mode(p) + " " + content);
      }
    }
    return state;
  }

  private static void git(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Process git = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(git.waitFor()).isZero();
  }
}
