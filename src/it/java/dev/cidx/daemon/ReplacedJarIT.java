package dev.cidx.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cidx.client.DaemonControl;
import dev.cidx.config.RepoPaths;
import dev.cidx.testing.CidxProcess;
import dev.cidx.testing.CidxProcess.Result;
import java.io.File;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rebuilding or upgrading cidx in place ({@code mvn package} rewrites {@code target/cidx.jar}) while a
 * daemon runs from that jar: the daemon can load no class it has not loaded yet. Asked to stop, it must
 * still stop (release its lock, leave the socket to the next daemon) rather than hang holding the lock
 * and answering nothing, which would leave every later command standalone until the user killed it.
 */
class ReplacedJarIT {
  @TempDir Path dir;
  @TempDir Path home;
  RepoPaths repo;

  @AfterEach
  void cleanUp() {
    DaemonControl.stop(repo, Duration.ofSeconds(30));
  }

  @Test
  void aDaemonWhoseJarWasRewrittenUnderIt_stopsWhenAsked_andTheNextStartGetsANewDaemon() throws Exception {
    Files.writeString(dir.resolve("Greeter.java"), "class Greeter {\n  String hello() { return \"hello\"; }\n}\n");
    assertThat(CidxProcess.run(dir, "init").exit()).isZero();
    repo = new RepoPaths(dir);
    Path jar = home.resolve("cidx.jar");
    Files.copy(CidxProcess.HOME.resolve("target/cidx.jar"), jar);
    // A daemon started by a client running from the copy runs from the copy too (the client's class path).
    Process start = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", jar + File.pathSeparator + CidxProcess.HOME.resolve("target/lib") + "/*", "dev.cidx.cli.Launcher",
        "start").directory(dir.toFile()).redirectErrorStream(true).start();
    String startOut = new String(start.getInputStream().readAllBytes());
    assertThat(start.waitFor()).as(startOut).isZero();
    long pid = DaemonControl.statusJson(repo).orElseThrow().path("pid").asLong();
    ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();

    // Rewrite the jar in place, as a build does: same file, new bytes.
    try (RandomAccessFile file = new RandomAccessFile(jar.toFile(), "rw")) {
      file.seek(0);
      file.write(new byte[(int) file.length()]);
    }

    Result stop = CidxProcess.run(dir, "stop");
    assertThat(stop.exit()).as(stop.err()).isZero();
    await().atMost(Duration.ofSeconds(60)).until(() -> !daemon.isAlive());

    Result again = CidxProcess.run(dir, "start");
    assertThat(again.exit()).as(again.err()).isZero();
    long newPid = DaemonControl.statusJson(repo).orElseThrow().path("pid").asLong();
    assertThat(newPid).isNotEqualTo(pid);
  }
}
