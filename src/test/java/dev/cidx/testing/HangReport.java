package dev.cidx.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a test prints when a cidx process it started does not finish: the thread dumps of that process and
 * of its repository's daemon, and the end of the daemon's log. A hang seen once in CI must explain itself
 * from the test report, since it may not come back on demand.
 */
final class HangReport {
  private static final int MAX_DUMP_CHARS = 40_000;
  private static final int LOG_LINES = 60;

  private HangReport() {}

  /** The report for process {@code pid}, started in {@code cwd} (a repository or a directory inside one). */
  static String of(long pid, Path cwd) {
    StringBuilder out = new StringBuilder("--- thread dump of the cidx process ").append(pid).append(" ---\n")
        .append(threadDump(pid));
    Path data = dataDir(cwd);
    if (data == null) {
      return out.append("--- no .code-indexer above ").append(cwd).append(" ---\n").toString();
    }
    try {
      String lockPid = Files.readString(data.resolve("daemon.lock"), StandardCharsets.US_ASCII).strip();
      if (!lockPid.isEmpty() && ProcessHandle.of(Long.parseLong(lockPid)).map(ProcessHandle::isAlive).orElse(false)) {
        out.append("--- thread dump of the daemon ").append(lockPid).append(" ---\n")
            .append(threadDump(Long.parseLong(lockPid)));
      } else {
        out.append("--- daemon.lock names no live process (").append(lockPid).append(") ---\n");
      }
    } catch (IOException | NumberFormatException e) {
      out.append("--- no daemon pid: ").append(e).append(" ---\n");
    }
    try {
      List<String> log = Files.readAllLines(data.resolve("daemon.log"), StandardCharsets.UTF_8);
      out.append("--- the last ").append(LOG_LINES).append(" lines of daemon.log ---\n");
      log.subList(Math.max(0, log.size() - LOG_LINES), log.size()).forEach(l -> out.append(l).append('\n'));
    } catch (IOException e) {
      out.append("--- no daemon.log: ").append(e).append(" ---\n");
    }
    return out.toString();
  }

  private static Path dataDir(Path cwd) {
    for (Path dir = cwd.toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve(".code-indexer"))) {
        return dir.resolve(".code-indexer");
      }
    }
    return null;
  }

  private static String threadDump(long pid) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      // To a file, not a pipe: a jcmd that cannot attach must not hang the report too.
      Path file = Files.createTempFile("cidx-threads", ".txt");
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print").redirectErrorStream(true)
          .redirectOutput(file.toFile()).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      String dump = Files.readString(file, StandardCharsets.UTF_8);
      Files.deleteIfExists(file);
      return dump.length() > MAX_DUMP_CHARS ? dump.substring(0, MAX_DUMP_CHARS) + "\n[cut]\n" : dump;
    } catch (IOException e) {
      return "(no thread dump: " + e.getMessage() + ")\n";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)\n";
    }
  }
}
