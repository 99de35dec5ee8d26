package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.Messages.WatchStopResult;
import org.junit.jupiter.api.Test;

/** The daemon-control commands' {@code --json} objects, field for field, as scripts read them. */
class ControlResultsTest {
  @Test
  void daemonStartAndRestart_nameThePidsSocketAndRepository() {
    assertThat(Json.writeLine(new ControlResults.DaemonStarted(true, 42, false, "/r/.code-indexer/daemon.sock", "/r")))
        .isEqualTo("{\"running\":true,\"pid\":42,\"already_running\":false,"
            + "\"socket_path\":\"/r/.code-indexer/daemon.sock\",\"repo_root\":\"/r\"}");
    assertThat(Json.writeLine(new ControlResults.DaemonRestarted(true, 43, null, "/r/s", "/r")))
        .isEqualTo("{\"running\":true,\"pid\":43,\"previous_pid\":null,\"socket_path\":\"/r/s\",\"repo_root\":\"/r\"}");
  }

  @Test
  void absentValues_printAsNull_soEveryFieldIsAlwaysThere() {
    assertThat(Json.writeLine(new ControlResults.DaemonStopped(false, false, null)))
        .isEqualTo("{\"running\":false,\"stopped\":false,\"pid\":null}");
    assertThat(Json.writeLine(new ControlResults.CacheCleared(false, null, false)))
        .isEqualTo("{\"running\":false,\"pid\":null,\"cleared\":false}");
    assertThat(Json.writeLine(new ControlResults.WatchStopped(false, null, null)))
        .isEqualTo("{\"stopped\":false,\"daemon\":null,\"foreground_pid\":null}");
  }

  @Test
  void watchStop_nestsTheDaemonsAnswerAsTheWireWritesIt() {
    WatchStopResult daemon = new WatchStopResult(false, null);
    assertThat(Json.writeLine(new ControlResults.WatchStopped(true, daemon, 7L)))
        .isEqualTo("{\"stopped\":true,\"daemon\":" + JsonLines.MAPPER.valueToTree(daemon)
            + ",\"foreground_pid\":7}");
  }
}
