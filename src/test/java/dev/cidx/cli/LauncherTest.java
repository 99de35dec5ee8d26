package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.config.RepoPaths;
import dev.cidx.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {
  @TempDir Path root;

  @Test
  void commandName_isTheFirstArgumentThatIsNeitherAnOptionNorThePathValue() {
    assertThat(Launcher.commandName(List.of("query", "retry uploads"))).isEqualTo("query");
    assertThat(Launcher.commandName(List.of("--path", "/repo", "query", "x"))).isEqualTo("query");
    assertThat(Launcher.commandName(List.of("--path=/repo", "--no-daemon", "query", "x"))).isEqualTo("query");
    assertThat(Launcher.commandName(List.of("--verbose", "index"))).isEqualTo("index");
    assertThat(Launcher.commandName(List.of("--", "query"))).isEqualTo("query");
    assertThat(Launcher.commandName(List.of("--help"))).isNull();
    assertThat(Launcher.commandName(List.of())).isNull();
  }

  @Test
  void findRepo_walksUpFromTheWorkingDirectory_orStartsAtPath() throws Exception {
    RepoPaths repo = TestRepo.create(root.resolve("repo"));
    Path sub = Files.createDirectories(repo.root().resolve("src/main"));
    Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
    assertThat(Launcher.findRepo(List.of("query", "x"), sub)).contains(repo);
    assertThat(Launcher.findRepo(List.of("query", "x"), elsewhere)).isEmpty();
    assertThat(Launcher.findRepo(List.of("--path", "../repo/src", "query", "x"), elsewhere)).contains(repo);
    assertThat(Launcher.findRepo(List.of("query", "x", "--path=" + sub), elsewhere)).contains(repo);
  }

  @Test
  void daemonCommand_runsDaemonMainOnThisClassPath() throws Exception {
    RepoPaths repo = TestRepo.create(root);
    List<String> cmd = Launcher.daemonCommand(repo);
    assertThat(cmd.get(0)).endsWith("java");
    assertThat(cmd).containsSubsequence("-cp", System.getProperty("java.class.path"), "dev.cidx.cli.DaemonMain",
        "--repo", repo.root().toString());
    assertThat(cmd).as("a crash report lands beside daemon.log, not in the working tree")
        .contains("-XX:ErrorFile=" + repo.dataDir().resolve("hs_err_pid%p.log"));
  }

  @Test
  void daemonArchive_isGivenToTheJavaThatMadeIt_only() throws Exception {
    Path target = Files.createDirectories(root.resolve("target"));
    Path jar = Files.writeString(target.resolve("cidx.jar"), "");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    assertThat(Launcher.daemonArchive(java, jar)).as("no archive was made").isEmpty();

    Path archive = Files.writeString(target.resolve("cidx-daemon.jsa"), "");
    Files.writeString(target.resolve("cidx.jsa.java"), java + "\n");
    assertThat(Launcher.daemonArchive(java, jar)).containsExactly("-XX:SharedArchiveFile=" + archive, "-Xshare:auto");

    Files.writeString(target.resolve("cidx.jsa.java"), root.resolve("another/bin/java") + "\n");
    assertThat(Launcher.daemonArchive(java, jar)).as("made by another java").isEmpty();
  }

  @Test
  void forwardedEnv_keepsOnlyCidxVariables() {
    assertThat(Launcher.forwardedEnv(java.util.Map.of("CIDX_DEBUG", "1", "AWS_SECRET_ACCESS_KEY", "x", "PATH", "/bin")))
        .containsExactly(java.util.Map.entry("CIDX_DEBUG", "1"));
  }

  @Test
  void runParams_insideTheRepository_forwardsTheCommandLineAsTyped() throws Exception {
    RepoPaths repo = TestRepo.create(root.resolve("repo"));
    Path sub = Files.createDirectories(repo.root().resolve("src"));
    var params = Launcher.runParams(List.of("query", "x", "--path", ".."), sub, repo, java.util.Map.of());
    assertThat(params.cwd()).isEqualTo(sub.toString());
    assertThat(params.argv()).containsExactly("query", "x", "--path", "..");
  }

  @Test
  void runParams_fromOutsideWithPath_sendsTheRootAndAnAbsolutePath() throws Exception {
    RepoPaths repo = TestRepo.create(root.resolve("repo"));
    var params = Launcher.runParams(List.of("--path=repo", "query", "x", "--path", "repo/.", "--", "--path", "y"),
        root, repo, java.util.Map.of());
    assertThat(params.cwd()).isEqualTo(repo.root().toString());
    assertThat(params.argv()).containsExactly("--path=" + repo.root(), "query", "x", "--path", repo.root().toString(),
        "--", "--path", "y");
  }
}
