package dev.cidx.daemon;

import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.ErrorCode;
import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.Messages.HelloResult;
import dev.cidx.protocol.Methods;
import dev.cidx.protocol.Version;
import dev.cidx.testing.FakeDaemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for a daemon of an older cidx, as its own process: answers {@code hello} with version
 * 0.0.1, refuses a forwarded {@code run} with {@code VERSION_MISMATCH} and, on {@code shutdown}, removes its
 * socket and exits, whatever the request's params (an old daemon knows no {@code unless_writing}). While
 * the file {@link #WRITING_MARKER} exists in {@code .code-indexer}, its {@code status} shows an index run in
 * progress. Each {@code shutdown} it receives is appended to {@link #SHUTDOWN_LOG}, with whether it was
 * writing then. Usage: {@code OldVersionDaemonMain ROOT}.
 */
public final class OldVersionDaemonMain {
  public static final String WRITING_MARKER = "old-daemon-writing";
  public static final String SHUTDOWN_LOG = "old-daemon-shutdowns";

  public static void main(String[] args) throws Exception {
    RepoPaths repo = new RepoPaths(Path.of(args[0]));
    Path writing = repo.dataDir().resolve(WRITING_MARKER);
    Instant started = Instant.now();
    CountDownLatch stop = new CountDownLatch(1);
    long pid = ProcessHandle.current().pid();
    try (FakeDaemon daemon = new FakeDaemon(repo.socketPath(), request -> {
      switch (request.path("method").asText()) {
        case Methods.HELLO:
          return FakeDaemon.Reply.of(FakeDaemon.result(request,
              new HelloResult("0.0.1", Version.PROTOCOL, pid, repo.root().toString(), repo.socketPath().toString())));
        case Methods.RUN:
          return FakeDaemon.Reply.of(JsonLines.error(request.get("id"), ErrorCode.VERSION_MISMATCH, "version mismatch"));
        case Methods.STATUS:
          return FakeDaemon.Reply.of(FakeDaemon.result(request, Files.exists(writing)
              ? Map.of("running", true, "pid", pid, "indexing", Map.of("phase", "embedding", "started_at",
                  started.toString(), "files_scanned", 1, "chunks_embedded", 3, "chunks_to_embed", 10))
              : Map.of("running", true, "pid", pid)));
        case Methods.SHUTDOWN:
          record(repo.dataDir().resolve(SHUTDOWN_LOG), "writing=" + Files.exists(writing) + " params="
              + request.path("params"));
          stop.countDown();
          return new FakeDaemon.Reply(java.util.List.of(FakeDaemon.result(request, Map.of("stopping", true))), true);
        default:
          return FakeDaemon.Reply.of(FakeDaemon.result(request, Map.of("pong", true, "pid", pid)));
      }
    })) {
      System.out.println("old daemon ready");
      System.out.flush();
      stop.await();
    }
  }

  private static void record(Path file, String line) {
    try {
      Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
