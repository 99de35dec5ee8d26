package dev.cidx.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests run as root; {@code nobody} stands for the other user who planted a directory. */
class RepoLocatorTest {
  @TempDir Path dir;
  private final List<String> warnings = new ArrayList<>();
  private Path configHome;
  private Path planted;
  private Path checkout;

  @BeforeEach
  void plantAForeignRepositoryAboveTheCheckout() throws IOException {
    configHome = Files.createDirectories(dir.resolve("config-home"));
    planted = dir.resolve("shared");
    CidxConfig.defaults().save(planted.resolve(".code-indexer/config.json"));
    giveToNobody(planted.resolve(".code-indexer"));
    checkout = Files.createDirectories(planted.resolve("work/checkout/src"));
  }

  private Map<String, String> env(String safeDirectories) {
    return safeDirectories == null
        ? Map.of("XDG_CONFIG_HOME", configHome.toString())
        : Map.of("XDG_CONFIG_HOME", configHome.toString(), SafeDirectories.ENV, safeDirectories);
  }

  @Test
  void foreignCodeIndexer_isIgnored_withOneLineSayingHowToTrustIt() {
    assertThat(RepoLocator.find(checkout, env(null), warnings::add)).isEmpty();
    assertThat(warnings).containsExactly("cidx: ignoring " + planted.resolve(".code-indexer")
        + ": it belongs to nobody, not you; to trust it, add " + planted + " to CIDX_SAFE_DIRECTORIES or to"
        + " \"safe_directories\" in " + configHome.resolve("cidx/config.json"));
  }

  @Test
  void foreignCodeIndexer_isSkipped_andDiscoveryGoesOnUpward() throws IOException {
    Path mine = dir;
    CidxConfig.defaults().save(mine.resolve(".code-indexer/config.json"));
    assertThat(RepoLocator.find(checkout, env(null), warnings::add)).contains(new RepoPaths(mine));
    assertThat(warnings).hasSize(1);
  }

  @Test
  void ownCodeIndexer_isFoundWithoutAWord() throws IOException {
    Path repo = planted.resolve("work/checkout");
    CidxConfig.defaults().save(repo.resolve(".code-indexer/config.json"));
    assertThat(RepoLocator.find(checkout, env(null), warnings::add)).contains(new RepoPaths(repo));
    assertThat(warnings).isEmpty();
  }

  @Test
  void environmentVariable_trustsTheNamedDirectory() {
    String list = dir.resolve("elsewhere") + java.io.File.pathSeparator + planted;
    assertThat(RepoLocator.find(checkout, env(list), warnings::add)).contains(new RepoPaths(planted));
    assertThat(warnings).isEmpty();
  }

  @Test
  void environmentVariable_acceptsTheCodeIndexerDirectoryItself_andAStarForAll() {
    assertThat(RepoLocator.find(checkout, env(planted.resolve(".code-indexer").toString()), warnings::add))
        .contains(new RepoPaths(planted));
    assertThat(RepoLocator.find(checkout, env("*"), warnings::add)).contains(new RepoPaths(planted));
    assertThat(warnings).isEmpty();
  }

  @Test
  void environmentVariable_namingAnotherDirectory_trustsNothingHere() {
    assertThat(RepoLocator.find(checkout, env(planted.resolve("work").toString()), warnings::add)).isEmpty();
    assertThat(warnings).hasSize(1);
  }

  @Test
  void usersOwnConfig_trustsItsSafeDirectories() throws IOException {
    Files.createDirectories(configHome.resolve("cidx"));
    Files.writeString(configHome.resolve("cidx/config.json"),
        "{\"other\": {\"x\": [1]}, \"safe_directories\": [\"/nowhere\", \"" + planted + "\"]}");
    assertThat(RepoLocator.find(checkout, env(null), warnings::add)).contains(new RepoPaths(planted));
    assertThat(warnings).isEmpty();
  }

  @Test
  void aConfigOwnedBySomeoneElse_trustsNothing() throws IOException {
    Files.createDirectories(configHome.resolve("cidx"));
    Path config = Files.writeString(configHome.resolve("cidx/config.json"),
        "{\"safe_directories\": [\"" + planted + "\"]}");
    giveToNobody(config);
    assertThat(RepoLocator.find(checkout, env(null), warnings::add)).isEmpty();
    assertThat(warnings).hasSize(1);
  }

  @Test
  void aMalformedConfig_trustsNothing() throws IOException {
    Files.createDirectories(configHome.resolve("cidx"));
    Files.writeString(configHome.resolve("cidx/config.json"), "{\"safe_directories\": [");
    assertThat(RepoLocator.find(checkout, env(null), warnings::add)).isEmpty();
  }

  @Test
  void ownSymlinkToAForeignCodeIndexer_isIgnoredToo() throws IOException {
    Path repo = planted.resolve("work/checkout");
    Files.createSymbolicLink(repo.resolve(".code-indexer"), planted.resolve(".code-indexer"));
    assertThat(Files.getOwner(repo.resolve(".code-indexer"), LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(CurrentUser.principal());
    assertThat(RepoLocator.find(checkout, env(null), warnings::add)).isEmpty();
    assertThat(warnings).hasSize(2);
  }

  @Test
  void twoSpellingsOfOneRepository_areOneRepository() throws IOException {
    Path repo = planted.resolve("work/checkout");
    CidxConfig.defaults().save(repo.resolve(".code-indexer/config.json"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), repo);
    RepoPaths viaLink = RepoLocator.find(link.resolve("src"), env(null), warnings::add).orElseThrow();
    RepoPaths viaDots = new RepoPaths(repo.resolve("src/../../checkout"));
    assertThat(viaLink).isEqualTo(new RepoPaths(repo)).isEqualTo(viaDots);
    assertThat(viaLink.root()).isEqualTo(repo.toRealPath());
    assertThat(viaLink.socketPath()).isEqualTo(viaDots.socketPath());
    assertThat(viaLink.relativize(link.resolve("src/A.java"))).isEqualTo("src/A.java");
  }

  @Test
  void currentUser_isTheOwnerOfWhatThisProcessCreates() throws IOException {
    Path mine = Files.createFile(dir.resolve("mine"));
    assertThat(Files.getAttribute(mine, "unix:uid")).isEqualTo(CurrentUser.uid());
    assertThat(Files.getOwner(mine)).isEqualTo(CurrentUser.principal());
  }

  static void giveToNobody(Path path) throws IOException {
    UserPrincipal nobody = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(path, nobody);
  }
}
