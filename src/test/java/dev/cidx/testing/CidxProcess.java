package dev.cidx.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs cidx as a user's shell does: a JVM running {@code dev.cidx.cli.Launcher} from {@code target/cidx.jar}
 * and {@code target/lib}, with {@code bin/cidx}'s JVM options, in a given working directory. So a query
 * takes the launcher's fast path, starts and reaches a real daemon process, or falls back, exactly as in
 * use. Needs the {@code package} phase (the ITs run in {@code mvn verify}).
 *
 * <p>Output goes to files rather than pipes, so many processes can run at once without reader threads.
 */
public final class CidxProcess {
  public static final Path HOME = Path.of(System.getProperty("cidx.home", System.getProperty("user.dir")));
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * How long one command may take before the test fails as hung. Not a speed check (benchmarks do that): a
   * bound for a cold daemon start or a test's whole index run on a busy two-core machine, where 90 s was
   * seen to pass by an embedding run that was merely slow. A real hang now reports itself ({@link HangReport}).
   */
  public static final Duration TIMEOUT = Duration.ofSeconds(180);

  private CidxProcess() {}

  /** What a finished command printed and returned, and its wall time. */
  public record Result(int exit, String out, String err, double millis) {
    public JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON (exit " + exit + ", stderr: " + err + "): " + out, e);
      }
    }
  }

  /** A command started and not yet awaited. */
  public static final class Running {
    private final Process process;
    private final Path cwd;
    private final Path out;
    private final Path err;
    private final long startNanos = System.nanoTime();

    private Running(Process process, Path cwd, Path out, Path err) {
      this.process = process;
      this.cwd = cwd;
      this.out = out;
      this.err = err;
    }

    /** Sends SIGTERM, as Ctrl+C's shutdown path does (the JVM runs its hooks), and waits for the exit. */
    public Result interrupt() {
      process.destroy();
      return await();
    }

    public boolean isAlive() {
      return process.isAlive();
    }

    /** What it printed to stdout so far. */
    public String outSoFar() {
      try {
        return Files.readString(out, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** What it printed to stderr so far. */
    public String errSoFar() {
      try {
        return Files.readString(err, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public Result await() {
      try {
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          String diagnosis = HangReport.of(process.pid(), cwd);
          process.destroyForcibly();
          throw new AssertionError("cidx did not finish within " + TIMEOUT.toSeconds() + " s; stderr: "
              + Files.readString(err, StandardCharsets.UTF_8) + "\n" + diagnosis);
        }
        double ms = (System.nanoTime() - startNanos) / 1e6;
        Result r = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8), ms);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /** The command line: java, bin/cidx's options, the launcher, then {@code args}. */
  public static List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss1m", "-Xshare:auto", "-Dcidx.home=" + HOME,
        "-cp", HOME.resolve("target/cidx.jar") + File.pathSeparator + HOME.resolve("target/lib") + "/*",
        "dev.cidx.cli.Launcher"));
    cmd.addAll(args);
    return cmd;
  }

  /**
   * Starts {@code cidx args} in {@code cwd}. {@code env} is added to this JVM's environment, except that
   * {@code CIDX_NO_DAEMON} is only set when given; a null value removes a variable.
   */
  public static Running start(Path cwd, Map<String, String> env, String... args) {
    try {
      Path out = Files.createTempFile("cidx-out", ".txt");
      Path err = Files.createTempFile("cidx-err", ".txt");
      ProcessBuilder pb = new ProcessBuilder(command(List.of(args))).directory(cwd.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      pb.environment().remove("CIDX_NO_DAEMON");
      pb.environment().remove("CIDX_DEBUG");
      env.forEach((k, v) -> {
        if (v == null) {
          pb.environment().remove(k);
        } else {
          pb.environment().put(k, v);
        }
      });
      return new Running(pb.start(), cwd, out, err);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start cidx: " + e.getMessage(), e);
    }
  }

  /** Runs {@code cidx args} in {@code cwd} and waits for it. */
  public static Result run(Path cwd, String... args) {
    return start(cwd, Map.of(), args).await();
  }

  public static Result run(Path cwd, Map<String, String> env, String... args) {
    return start(cwd, env, args).await();
  }
}
