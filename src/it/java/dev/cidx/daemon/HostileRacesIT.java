package dev.cidx.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cidx.client.DaemonControl;
import dev.cidx.config.RepoPaths;
import dev.cidx.testing.CidxProcess;
import dev.cidx.testing.CidxProcess.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon of another version that is writing the index is never replaced under its run: the real
 * {@code bin/cidx} against a real old-daemon process ({@link OldVersionDaemonMain}) in a one-file
 * repository. Kept small: the machine is shared, and the only real model load is the one index at the end.
 */
class HostileRacesIT {
  private static final Duration GENEROUS = Duration.ofMinutes(3);

  @TempDir Path dir;
  RepoPaths repo;
  Process old;

  @BeforeEach
  void startAnOldDaemonThatIsIndexing() throws Exception {
    Files.writeString(dir.resolve("Greeter.java"), "class Greeter {\n  String hello() { return \"hello\"; }\n}\n");
    Result init = CidxProcess.run(dir, "init");
    assertThat(init.exit()).as(init.err()).isZero();
    repo = new RepoPaths(dir);
    Files.createFile(repo.dataDir().resolve(OldVersionDaemonMain.WRITING_MARKER));
    old = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), OldVersionDaemonMain.class.getName(), dir.toString())
        .redirectErrorStream(true).start();
    assertThat(new String(old.getInputStream().readNBytes("old daemon ready".length()), StandardCharsets.UTF_8))
        .isEqualTo("old daemon ready");
  }

  @AfterEach
  void stopDaemons() {
    old.destroyForcibly();
    DaemonControl.stop(repo, Duration.ofSeconds(30));
  }

  private String shutdownsReceived() throws IOException {
    Path log = repo.dataDir().resolve(OldVersionDaemonMain.SHUTDOWN_LOG);
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Test
  void query_whileAnOldDaemonIndexes_runsStandalone_sayingSo_andLeavesItsRunAlone() throws Exception {
    Result r = CidxProcess.run(dir, "query", "hello", "--fts");
    assertThat(r.err()).containsPattern("cidx: daemon unavailable \\(the daemon of cidx 0\\.0\\.1 \\(pid " + old.pid()
        + "\\) is indexing since \\d\\d:\\d\\d:\\d\\d, 3/10 chunks embedded; it is left to finish\\); running standalone");
    assertThat(old.isAlive()).isTrue();
    assertThat(shutdownsReceived()).isEmpty();
  }

  @Test
  void index_whileAnOldDaemonIndexes_waitsForItsRun_thenReplacesIt_andIndexes() throws Exception {
    CidxProcess.Running index = CidxProcess.start(dir, Map.of(), "index");
    await().atMost(GENEROUS).until(() -> index.errSoFar().contains("waiting for its run to end, then indexing here"));
    assertThat(index.errSoFar()).contains("cidx: the daemon of cidx 0.0.1 (pid " + old.pid() + ") is indexing since ");
    assertThat(old.isAlive()).isTrue();
    assertThat(shutdownsReceived()).isEmpty();

    Files.delete(repo.dataDir().resolve(OldVersionDaemonMain.WRITING_MARKER)); // its run ends
    Result r = index.await();
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("1 indexed");
    assertThat(old.waitFor(GENEROUS.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(shutdownsReceived()).isEqualTo("writing=false params={\"unless_writing\":true}\n");
  }
}
