package dev.cidx.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonSettingsTest {
  @TempDir
  Path dir;

  private Path config(String json) throws Exception {
    return Files.writeString(dir.resolve("config.json"), json);
  }

  @Test
  void load_readsTheDaemonBlock_skippingEverythingElse() throws Exception {
    Path file = config("{\"file_extensions\": [\"java\", {\"x\": [1, 2]}], \"daemon\": {\"enabled\": false,"
        + " \"ttl_minutes\": 0.5, \"future\": {\"a\": [true]}, \"retry_delays_ms\": [10, 20]}, \"chunk_lines\": 3}");
    DaemonSettings s = DaemonSettings.load(file);
    assertThat(s.enabled()).isFalse();
    assertThat(s.ttl().toMillis()).isEqualTo(30_000);
    assertThat(s.retryDelaysMs()).containsExactly(10, 20);
    assertThat(s.autoShutdownOnIdle()).isTrue();
    assertThat(s.maxRetries()).isEqualTo(4);
  }

  @Test
  void theQueryBudgetAndTheConnectionCap_areRead_withTheirDefaults() throws Exception {
    DaemonSettings s = DaemonSettings.load(config("{\"daemon\": {\"query_timeout_seconds\": 2.5, \"max_connections\": 8}}"));
    assertThat(s.queryTimeout().toMillis()).isEqualTo(2_500);
    assertThat(s.clientQueryTimeout().toMillis()).isEqualTo(32_500);
    assertThat(s.maxConnections()).isEqualTo(8);
    assertThat(DaemonSettings.DEFAULTS.queryTimeout().toSeconds()).isEqualTo(30);
    assertThat(DaemonSettings.DEFAULTS.maxConnections()).isEqualTo(64);
  }

  @Test
  void aZeroQueryBudgetOrConnectionCap_isRefused_withItsName() throws Exception {
    Path budget = config("{\"daemon\": {\"query_timeout_seconds\": 0}}");
    assertThatThrownBy(() -> DaemonSettings.load(budget))
        .isInstanceOf(ConfigException.class)
        .hasMessage(budget + ": daemon.query_timeout_seconds (0.0) must be positive");
    Path cap = config("{\"daemon\": {\"max_connections\": 0}}");
    assertThatThrownBy(() -> DaemonSettings.load(cap))
        .isInstanceOf(ConfigException.class)
        .hasMessage(cap + ": daemon.max_connections (0) must be positive");
  }

  @Test
  void load_withoutADaemonBlock_givesTheDefaults() throws Exception {
    assertThat(DaemonSettings.load(config("{\"embedding_model\": \"x\"}"))).isEqualTo(DaemonSettings.DEFAULTS);
    assertThat(DaemonSettings.load(config("{\"daemon\": null}"))).isEqualTo(DaemonSettings.DEFAULTS);
  }

  @Test
  void load_agreesWithTheWholeConfig_forWhatSaveWrites() throws Exception {
    Path file = dir.resolve("config.json");
    DaemonSettings settings = new DaemonSettings(false, 2.5, false, 7.0, 1, List.of(5, 6, 7), 4.0, 9);
    CidxConfig.defaults().withDaemon(settings).save(file);
    assertThat(DaemonSettings.load(file)).isEqualTo(settings).isEqualTo(CidxConfig.load(file).daemon());
  }

  @Test
  void aValueOfTheWrongType_isReportedWithItsName_byBothReaders() throws Exception {
    Path file = config("{\"daemon\": {\"enabled\": \"yes\"}}");
    assertThatThrownBy(() -> DaemonSettings.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage(file + ": daemon.enabled (yes) must be true or false");
    assertThatThrownBy(() -> CidxConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage(file + ": daemon.enabled (yes) must be true or false");
  }

  @Test
  void anOutOfRangeValue_isReportedWithItsName() throws Exception {
    Path file = config("{\"daemon\": {\"retry_delays_ms\": [100, -1]}}");
    assertThatThrownBy(() -> DaemonSettings.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage(file + ": daemon.retry_delays_ms ([100, -1]) must hold non-negative numbers");
  }

  @Test
  void brokenJson_isReportedAsSuch() throws Exception {
    Path file = config("{\"daemon\": {\"enabled\": tru");
    assertThatThrownBy(() -> DaemonSettings.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + " is not valid JSON: ");
    Path array = config("[1]");
    assertThatThrownBy(() -> DaemonSettings.load(array))
        .isInstanceOf(ConfigException.class)
        .hasMessage(array + " is not valid JSON: expected an object, found [");
  }
}
