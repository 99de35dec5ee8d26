package dev.cidx.bench;

import dev.cidx.client.SocketTrust;
import dev.cidx.config.CurrentUser;
import dev.cidx.config.RepoLocator;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.net.ExtendedSocketOptions;

/**
 * What the trust checks of issue 8 cost. Two parts:
 *
 * <pre>
 * # 1. The checks alone, in this JVM: microseconds per call (median of 20 rounds of 2,000 calls, after warm-up)
 * java -cp "target/classes:target/test-classes:target/lib/*" dev.cidx.bench.TrustCheckBench micro
 *
 * # 2. Whole warm `cidx query` processes, two builds on two copies of one indexed repository, runs
 * #    interleaved (A, B, A, B, ...) so that load changes hit both alike; each daemon is warmed first.
 * java -cp "target/classes:target/test-classes:target/lib/*" dev.cidx.bench.TrustCheckBench warm \
 *     /tmp/main-build /tmp/repo-a /work/wt/sec-trust /tmp/repo-b 40 --fts retry
 * </pre>
 */
public final class TrustCheckBench {
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("warm")) {
      warm(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), Path.of(args[4]), Integer.parseInt(args[5]),
          List.of(args).subList(6, args.length));
    } else {
      micro();
    }
  }

  private static void micro() throws Exception {
    Path dir = Files.createTempDirectory("cidx-trust-bench",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path socket = dir.resolve("daemon.sock");
    long t0 = System.nanoTime();
    CurrentUser.uid();
    long t1 = System.nanoTime();
    System.out.printf(Locale.ROOT, "first CurrentUser read (once per process, cold JVM): %.0f us%n", (t1 - t0) / 1e3);
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      Files.createDirectories(dir.resolve("repo/.code-indexer"));
      Files.writeString(dir.resolve("repo/.code-indexer/config.json"), "{}");
      Path start = Files.createDirectories(dir.resolve("repo/a/b/c"));
      try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
        System.out.println("| check | median us per call |");
        System.out.println("|---|---|");
        row("lstat socket + directory, owner and mode (SocketTrust.checkPath)", () -> SocketTrust.checkPath(socket));
        row("SO_PEERCRED read + uid compare (SocketTrust.checkPeer)", () -> SocketTrust.checkPeer(client, socket));
        row("SO_PEERCRED read alone", () -> client.getOption(ExtendedSocketOptions.SO_PEERCRED));
        row("connect + checkPath + checkPeer + close (a client's connect)", () -> {
          SocketTrust.checkPath(socket);
          try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            SocketTrust.checkPeer(c, socket);
          }
          server.accept().close();
        });
        row("connect + close, no checks (before)", () -> {
          try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.isConnected();
          }
          server.accept().close();
        });
        row("RepoLocator.find, 3 levels up, with the owner check",
            () -> RepoLocator.find(start, Map.of(), RepoLocator.NO_WARNINGS));
        row("the same walk without the owner check (before)", () -> {
          for (Path d = start.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(".code-indexer").resolve("config.json"))) {
              break;
            }
          }
        });
      }
    }
  }

  private interface Call {
    void run() throws Exception;
  }

  private static void row(String name, Call call) throws Exception {
    int calls = 2_000;
    for (int i = 0; i < 5 * calls; i++) {
      call.run();
    }
    double[] rounds = new double[20];
    for (int r = 0; r < rounds.length; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        call.run();
      }
      rounds[r] = (System.nanoTime() - t0) / 1e3 / calls;
    }
    Arrays.sort(rounds);
    System.out.printf(Locale.ROOT, "| %s | %.2f |%n", name, rounds[rounds.length / 2]);
  }

  private static void warm(Path homeA, Path repoA, Path homeB, Path repoB, int runs, List<String> query)
      throws Exception {
    for (int i = 0; i < 5; i++) { // start and warm both daemons
      time(homeA, repoA, query);
      time(homeB, repoB, query);
    }
    List<Double> a = new ArrayList<>();
    List<Double> b = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      a.add(time(homeA, repoA, query));
      b.add(time(homeB, repoB, query));
    }
    double p50a = median(a);
    double p50b = median(b);
    System.out.println("| build | warm `cidx query` p50 ms | mean ms | runs |");
    System.out.println("|---|---|---|---|");
    System.out.printf(Locale.ROOT, "| A %s | %.1f | %.1f | %d |%n", homeA, p50a, mean(a), runs);
    System.out.printf(Locale.ROOT, "| B %s | %.1f | %.1f | %d |%n", homeB, p50b, mean(b), runs);
    System.out.printf(Locale.ROOT, "B / A (p50): %.3f%n", p50b / p50a);
  }

  /** One `bin/cidx query ...` of {@code home} in {@code repo}, wall time in ms; fails unless it answered from the daemon silently. */
  private static double time(Path home, Path repo, List<String> query) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/cidx").toString(), "query"));
    cmd.addAll(query);
    cmd.add("-q");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.PIPE);
    long t0 = System.nanoTime();
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes());
    int exit = p.waitFor();
    double ms = (System.nanoTime() - t0) / 1e6;
    if (exit != 0 || !err.isEmpty()) {
      throw new IllegalStateException(home + " in " + repo + ": exit " + exit + ": " + err);
    }
    return ms;
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v[v.length / 2];
  }

  private static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
  }

}
