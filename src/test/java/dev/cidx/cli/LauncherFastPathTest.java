package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.config.RepoPaths;
import dev.cidx.daemon.DaemonServer;
import dev.cidx.testing.TestRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code cidx query} in a JVM of its own against a running daemon and reads which classes that JVM
 * loaded. A warm query's cost is mostly the client's start-up, so the fast path must stay free of the
 * heavy libraries: picocli, Lucene, ONNX Runtime, and Jackson databind (whose start-up alone took
 * longer than the rest of the client did).
 */
class LauncherFastPathTest {
  /** Packages the fast path must never load, with why. */
  private static final List<String> FORBIDDEN = List.of(
      "picocli.", // the daemon parses the forwarded command line; the client must not
      "org.apache.lucene.", // searching happens in the daemon
      "ai.onnxruntime.", // so does embedding
      "ai.djl.", // and tokenizing
      "com.fasterxml.jackson.databind."); // the client speaks JSON through jackson-core's streaming API

  @TempDir Path root;
  private DaemonServer server;

  @AfterEach
  void stopDaemon() {
    if (server != null) {
      server.stop("test over");
    }
  }

  @Test
  void warmQuery_throughTheDaemon_loadsNoPicocliLuceneOnnxOrDatabindClass() throws Exception {
    RepoPaths repo = TestRepo.create(root.resolve("repo"));
    List<List<String>> forwarded = new CopyOnWriteArrayList<>();
    server = DaemonServer.builder(repo).commandRunner(inv -> {
      forwarded.add(inv.argv());
      inv.out().println("src/Retry.java:1-40");
      return 0;
    }).build();
    server.start();

    Path classLog = root.resolve("classes.txt");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xlog:class+load:file=" + classLog + ":none"); // one "name source: ..." per line
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Launcher.class.getName());
    command.addAll(List.of("query", "--fts", "retry", "-q"));
    ProcessBuilder pb = new ProcessBuilder(command).directory(repo.root().toFile())
        .redirectOutput(root.resolve("out.txt").toFile())
        .redirectError(root.resolve("err.txt").toFile());
    pb.environment().remove("CIDX_NO_DAEMON");
    pb.environment().remove("CIDX_JAVA_OPTS");
    Process client = pb.start();
    assertThat(client.waitFor(60, TimeUnit.SECONDS)).as("the client exits").isTrue();

    assertThat(Files.readString(root.resolve("err.txt"))).isEmpty();
    assertThat(client.exitValue()).isZero();
    assertThat(Files.readString(root.resolve("out.txt"))).isEqualTo("src/Retry.java:1-40\n");
    assertThat(forwarded).containsExactly(List.of("query", "--fts", "retry", "-q"));
    List<String> loaded = new ArrayList<>();
    for (String line : Files.readAllLines(classLog, StandardCharsets.UTF_8)) {
      loaded.add(line.split(" ", 2)[0]);
    }
    assertThat(loaded).as("the log is read right").contains(Launcher.class.getName(), "dev.cidx.client.DaemonClient");
    assertThat(loaded).filteredOn(name -> FORBIDDEN.stream().anyMatch(name::startsWith)).isEmpty();
  }
}
