package dev.cidx.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class DaemonLogTest {
  private final DaemonLog.LineFormatter formatter = new DaemonLog.LineFormatter();

  @Test
  void message_showsNewlinesCarriageReturnsAndEscapesAsText() {
    LogRecord r = new LogRecord(Level.INFO, "updated evil\r\n2030-01-01T00:00:00Z INFO  [main] forged\u001b[2J\u009b\u202e");

    String line = formatter.format(r);

    assertThat(line).endsWith("] updated evil\\r\\n2030-01-01T00:00:00Z INFO  [main] forged\\x1b[2J\\u009b\\u202e\n");
    assertThat(line.lines()).hasSize(1);
  }

  @Test
  void stackTrace_isIndented_soAMessageInItCannotStartALine() {
    LogRecord r = new LogRecord(Level.SEVERE, "index run failed");
    r.setThrown(new IOException("cannot read a\n2030-01-01T00:00:00Z INFO  [main] forged\u0007"));

    String text = formatter.format(r);

    assertThat(text.lines().skip(1)).allMatch(l -> l.startsWith("  "));
    assertThat(text).contains("  2030-01-01T00:00:00Z INFO  [main] forged\\x07\n").contains("  \tat dev.cidx.");
  }
}
