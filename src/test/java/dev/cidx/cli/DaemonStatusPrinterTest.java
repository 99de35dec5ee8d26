package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.testing.SampleMessages;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The daemon's status for people, from the status record: every field shows, none as "?" or "-". */
class DaemonStatusPrinterTest {
  @Test
  void aFullyPopulatedStatus_printsEveryField() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new DaemonStatusPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8)).printRunning(SampleMessages.STATUS);
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out)
        .contains("daemon:        running, pid 4242 (cidx 0.1.0, protocol 9), idle\n")
        .contains("socket:        /r/.code-indexer/daemon.sock\n")
        .contains("uptime:        1 min 1 s (since 2026-12-03T09:40:00Z)\n")
        .contains("last access:   2026-12-03T09:41:00Z (idle 1.5 s; after 10 idle min: drop cache and shut down)\n")
        .contains("cache:         loaded: model bge-small-en-v1.5, 84 chunks in 23 files, index segments_3 (loaded in 813 ms"
            + " at 2026-12-03T09:41:00Z)\n")
        .contains("               1 index load, 1 model load, 0 evictions\n")
        .contains(", --clear, 12.5 s), 3/10 files, 120/400 chunks embedded")
        .contains("; full-text search covers every file\n")
        .contains(" (debounce 2 s, 31 directories); 4 updates, last at ")
        .contains(": 2 files indexed, 4 deleted, 6 chunks embedded (8.5 s); updating now; last error: disk full\n")
        .contains("queries:       20 served, 1 errors, latency p50 3.5 ms, p99 9.3 ms\n")
        .contains("memory:        40.1 MiB heap used of 64.0 MiB committed\n")
        .contains("last expiry:   idle for 10 min\n")
        .doesNotContain("?").doesNotContain(" - ");
  }
}
