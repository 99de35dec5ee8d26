package dev.cidx.daemon;

import dev.cidx.config.PrivateFiles;
import dev.cidx.config.RepoPaths;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The daemon's log, {@code .code-indexer/daemon.log}: one line per event (start, stop and its reason,
 * cache loads, evictions, config reloads), stack traces of unexpected errors below their line. Errors
 * go here and never to the client, which gets one line and a pointer to this file.
 *
 * <p>Size-capped: when the file passes {@link #MAX_BYTES} it is renamed to {@code daemon.log.1}
 * (replacing the previous one) and a new file begins, so at most twice the cap is kept. A hand-made
 * handler rather than {@code FileHandler}: that one names rotated files {@code daemon.log.0},
 * {@code .1} and adds a {@code .lck} file, while the client expects {@code daemon.log} itself, which
 * it tails when a daemon fails to start, and to which the spawned process's stdout and stderr are
 * appended (lines written there after a rotation land in {@code daemon.log.1}; both are kept).
 */
public final class DaemonLog {
  static final long MAX_BYTES = 2L * 1024 * 1024;

  private DaemonLog() {}

  /**
   * Sends all java.util.logging output of this process (cidx's and its libraries') to the repository's
   * daemon.log, and also to stderr when {@code alsoConsole}.
   */
  public static void install(RepoPaths repo, boolean alsoConsole) throws IOException {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(Level.INFO);
    LineFormatter formatter = new LineFormatter();
    Handler file = new CappedFileHandler(repo.logFile(), MAX_BYTES);
    file.setFormatter(formatter);
    root.addHandler(file);
    if (alsoConsole) {
      ConsoleHandler console = new ConsoleHandler();
      console.setFormatter(formatter);
      root.addHandler(console);
    }
  }

  /**
   * A {@link LogManager} whose {@code reset()} does nothing when called by the JDK's own shutdown hook.
   * That hook closes every handler when the JVM begins to exit, concurrently with cidx's shutdown hook,
   * so the daemon's last lines ("daemon stopped: signal") would be lost. Installed by setting the system
   * property {@code java.util.logging.manager} to this class's name before anything logs.
   */
  public static final class Manager extends LogManager {
    @Override
    public void reset() {
      if (Thread.currentThread().getClass().getName().startsWith(LogManager.class.getName() + "$")) {
        return; // LogManager$Cleaner, at JVM exit: keep logging until the process is gone
      }
      super.reset();
    }
  }

  /**
   * {@code 2025-01-31T10:15:30.123Z INFO  [thread] message}, then the stack trace if any, each of its
   * lines indented.
   *
   * <p>Messages quote file names, queries and versions sent by clients, none of which cidx chose: a
   * newline or carriage return in them would forge a log line, an escape sequence would act on the
   * terminal of whoever reads the log. So the message shows {@code \n}, {@code \r} and other controls
   * as text ({@link #escape}, the rules of {@code cli.TerminalText}, which this package cannot import),
   * and only a record's first line starts at the margin.
   */
  static final class LineFormatter extends Formatter {
    @Override
    public String format(LogRecord r) {
      StringBuilder sb = new StringBuilder(128);
      sb.append(Instant.ofEpochMilli(r.getMillis())).append(' ');
      String level = r.getLevel().getName();
      sb.append(level).append(" ".repeat(Math.max(1, 8 - level.length())));
      sb.append('[').append(Thread.currentThread().getName()).append("] ");
      escape(formatMessage(r), false, sb);
      sb.append('\n');
      if (r.getThrown() != null) {
        StringWriter trace = new StringWriter();
        r.getThrown().printStackTrace(new PrintWriter(trace));
        trace.toString().lines().forEach(line -> escape(line, true, sb.append("  ")).append('\n'));
      }
      return sb.toString();
    }
  }

  /**
   * Appends {@code text} with C0 controls (tab kept when {@code keepTab}), DEL, C1 controls and bidi
   * controls shown as {@code \n}, {@code \r}, {@code \xNN} or {@code \}{@code uNNNN}.
   */
  static StringBuilder escape(String text, boolean keepTab, StringBuilder sb) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e)
          || (c >= 0x2066 && c <= 0x2069);
      if (!control || (keepTab && c == '\t')) {
        sb.append(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c <= 0x7f) {
        sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      }
    }
    return sb;
  }

  /** Appends records to a file and rotates it to {@code NAME.1} when it passes the cap. */
  static final class CappedFileHandler extends Handler {
    private final Path file;
    private final long maxBytes;
    private FileChannel out; // guarded by this
    private long size; // guarded by this

    CappedFileHandler(Path file, long maxBytes) throws IOException {
      this.file = file;
      this.maxBytes = maxBytes;
      open();
    }

    private void open() throws IOException {
      PrivateFiles.directory(file.getParent());
      // Owner-only, like the socket: error messages may quote queries and paths. O_APPEND: lines from
      // the redirected stderr interleave whole. No link followed: a repository may have planted one.
      out = PrivateFiles.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      size = out.size();
    }

    /**
     * A {@link FileChannel} closes itself when a thread writing to it is interrupted (a cancelled task
     * logging as it stops), which would end the log for every thread. So the interrupt flag is set
     * aside while writing, and a channel closed by an interrupt arriving mid-write is opened again.
     */
    @Override
    public synchronized void publish(LogRecord record) {
      if (!isLoggable(record) || out == null) {
        return;
      }
      byte[] bytes = getFormatter().format(record).getBytes(StandardCharsets.UTF_8);
      boolean interrupted = Thread.interrupted();
      try {
        if (size + bytes.length > maxBytes && size > 0) {
          out.close();
          PrivateFiles.replace(file, file.resolveSibling(file.getFileName() + ".1"));
          open();
        }
        try {
          write(bytes);
        } catch (ClosedChannelException e) {
          Thread.interrupted();
          open();
          write(bytes);
        }
      } catch (IOException e) {
        reportError("cannot write " + file, e, 1);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void write(byte[] bytes) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        out.write(buf);
      }
      size += bytes.length;
    }

    @Override
    public void flush() {}

    @Override
    public synchronized void close() {
      if (out != null) {
        try {
          out.close();
        } catch (IOException e) {
          // nothing to do
        }
        out = null;
      }
    }
  }
}
