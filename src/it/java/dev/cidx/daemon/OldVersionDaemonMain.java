package dev.cidx.daemon;

import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.Messages.HelloResult;
import dev.cidx.protocol.Methods;
import dev.cidx.protocol.Version;
import dev.cidx.testing.FakeDaemon;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for a daemon of an older cidx, as its own process: answers {@code hello} with version
 * 0.0.1 and, on {@code shutdown}, removes its socket and exits. Usage: {@code OldVersionDaemonMain ROOT}.
 */
public final class OldVersionDaemonMain {
  public static void main(String[] args) throws Exception {
    RepoPaths repo = new RepoPaths(Path.of(args[0]));
    CountDownLatch stop = new CountDownLatch(1);
    long pid = ProcessHandle.current().pid();
    try (FakeDaemon daemon = new FakeDaemon(repo.socketPath(), request -> {
      switch (request.path("method").asText()) {
        case Methods.HELLO:
          return FakeDaemon.Reply.of(FakeDaemon.result(request,
              new HelloResult("0.0.1", Version.PROTOCOL, pid, repo.root().toString(), repo.socketPath().toString())));
        case Methods.SHUTDOWN:
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
}
