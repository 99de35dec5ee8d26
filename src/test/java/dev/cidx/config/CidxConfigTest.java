package dev.cidx.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CidxConfigTest {
  @TempDir
  Path dir;

  @Test
  void missingFieldsTakeTheirDefaults() throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"daemon\": {\"ttl_minutes\": 0.05}, \"some_future_field\": 1}");
    CidxConfig config = CidxConfig.load(file);
    assertThat(config.embeddingModel()).isEqualTo("bge-small-en-v1.5");
    assertThat(config.maxFileSize()).isEqualTo(1024 * 1024);
    assertThat(config.daemon().ttl().toMillis()).isEqualTo(3000);
    assertThat(config.daemon().autoShutdownOnIdle()).isTrue();
    assertThat(config.daemon().retryDelaysMs()).containsExactly(100, 500, 1000, 2000);
  }

  @Test
  void saveThenLoad_roundTrips() throws Exception {
    Path file = dir.resolve("config.json");
    CidxConfig config = CidxConfig.defaults().withMaxFileSize(42).withDaemon(DaemonSettings.DEFAULTS.withEnabled(false));
    config.save(file);
    assertThat(CidxConfig.load(file)).isEqualTo(config);
  }

  @Test
  void aBadValueIsReportedWithItsName() throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"daemon\": {\"ttl_minutes\": -1}}");
    assertThatThrownBy(() -> CidxConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("daemon.ttl_minutes (-1.0) must be positive");
  }

  @Test
  void invalidJsonIsReportedAsSuch() throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"daemon\": ");
    assertThatThrownBy(() -> CidxConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + " is not valid JSON");
  }

  @Test
  void repoLocator_findsTheNearestConfiguredAncestor() throws Exception {
    Path repo = dir.resolve("repo");
    Path deep = repo.resolve("a/b/c");
    Files.createDirectories(deep);
    CidxConfig.defaults().save(repo.resolve(".code-indexer/config.json"));
    assertThat(RepoLocator.find(deep)).contains(new RepoPaths(repo));
    assertThat(RepoLocator.find(dir)).isEmpty();
  }

  @Test
  void socketPath_fallsBackToAShortOwnerOnlyPathWhenTooLong() throws Exception {
    Path shallow = dir.resolve("r");
    assertThat(new RepoPaths(shallow).socketPath()).isEqualTo(shallow.resolve(".code-indexer/daemon.sock"));
    Path deep = dir.resolve("x".repeat(60)).resolve("y".repeat(60));
    Path socket = new RepoPaths(deep).socketPath();
    assertThat(socket.toString().getBytes().length).isLessThanOrEqualTo(SocketPaths.MAX_SOCKET_PATH_BYTES);
    assertThat(socket.getFileName().toString()).endsWith(".sock");
    assertThat(new RepoPaths(deep).socketPath()).as("client and daemon derive the same path").isEqualTo(socket);
    assertThat(Files.getPosixFilePermissions(socket.getParent()))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
            java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
  }
}
