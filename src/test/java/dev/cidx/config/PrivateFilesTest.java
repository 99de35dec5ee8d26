package dev.cidx.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {
  @TempDir Path tmp;
  Path data;
  Path victim;

  @BeforeEach
  void setUp() throws Exception {
    data = tmp.resolve("repo").resolve(RepoPaths.DATA_DIR);
    victim = Files.writeString(tmp.resolve("victim.txt"), "precious");
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void directory_isCreatedOwnerOnly_withItsParents() throws Exception {
    PrivateFiles.directory(data.resolve("index"));
    assertThat(mode(data.resolve("index"))).isEqualTo("rwx------");
  }

  @Test
  void directory_tightensAnOldOpenOne() throws Exception {
    Files.createDirectories(data);
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    PrivateFiles.directory(data);
    assertThat(mode(data)).isEqualTo("rwx------");
  }

  @Test
  void directory_thatIsALink_isRefused_andItsTargetUntouched() throws Exception {
    Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
    Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(data.getParent());
    Files.createSymbolicLink(data, elsewhere);
    assertThatThrownBy(() -> PrivateFiles.directory(data))
        .isInstanceOf(UnsafePathException.class)
        .hasMessage("`.code-indexer` is a symbolic link; cidx will not write through it: remove it");
    assertThat(mode(elsewhere)).isEqualTo("rwxr-xr-x");
  }

  @Test
  void directory_ofAnotherUser_isRefused() throws Exception {
    Files.createDirectories(data);
    UserPrincipal nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(data, nobody);
    assertThatThrownBy(() -> PrivateFiles.directory(data))
        .isInstanceOf(UnsafePathException.class)
        .hasMessageStartingWith("`.code-indexer` belongs to nobody, not to ");
  }

  @Test
  void sharedAreaDirectory_refusesAnOpenOne_withoutChangingIt() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("cidx"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> PrivateFiles.sharedAreaDirectory(dir))
        .isInstanceOf(UnsafePathException.class)
        .hasMessage("`" + dir + "` has mode rwxrwxrwx, not rwx------; cidx will not use it: remove it"
            + " (cidx creates it owner-only)");
    assertThat(mode(dir)).isEqualTo("rwxrwxrwx");
  }

  @Test
  void sharedAreaDirectory_createsAMissingOneOwnerOnly() throws Exception {
    Path dir = PrivateFiles.sharedAreaDirectory(tmp.resolve("cidx"));
    assertThat(mode(dir)).isEqualTo("rwx------");
  }

  @Test
  void open_createsTheFileOwnerOnly() throws Exception {
    PrivateFiles.directory(data);
    try (FileChannel c = PrivateFiles.open(data.resolve("daemon.log"), StandardOpenOption.CREATE,
        StandardOpenOption.APPEND)) {
      c.write(ByteBuffer.wrap("x".getBytes()));
    }
    assertThat(mode(data.resolve("daemon.log"))).isEqualTo("rw-------");
  }

  @Test
  void open_tightensAnOldFileItWrites() throws Exception {
    PrivateFiles.directory(data);
    Path file = Files.writeString(data.resolve("embeddings.cache"), "old");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    PrivateFiles.open(file, StandardOpenOption.WRITE).close();
    assertThat(mode(file)).isEqualTo("rw-------");
  }

  @Test
  void open_ofALink_isRefused_andItsTargetUntouched() throws Exception {
    PrivateFiles.directory(data);
    Path link = Files.createSymbolicLink(data.resolve("daemon.lock"), victim);
    Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> PrivateFiles.open(link, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING))
        .isInstanceOf(UnsafePathException.class)
        .hasMessage("`.code-indexer/daemon.lock` is a symbolic link; cidx will not write through it: remove it");
    assertThat(Files.readString(victim)).isEqualTo("precious");
    assertThat(mode(victim)).isEqualTo("rw-r--r--");
  }

  @Test
  void open_ofADanglingLink_createsNothing() throws Exception {
    PrivateFiles.directory(data);
    Path target = tmp.resolve("created-by-the-link");
    Path link = Files.createSymbolicLink(data.resolve("daemon.log"), target);
    assertThatThrownBy(() -> PrivateFiles.open(link, StandardOpenOption.CREATE, StandardOpenOption.APPEND))
        .isInstanceOf(UnsafePathException.class);
    assertThat(target).doesNotExist();
  }

  @Test
  void writeAtomically_writesOwnerOnly_andRefusesALinkInsteadOfReplacingIt() throws Exception {
    PrivateFiles.directory(data);
    Path config = data.resolve("config.json");
    PrivateFiles.writeAtomically(config, "{}\n");
    assertThat(Files.readString(config)).isEqualTo("{}\n");
    assertThat(mode(config)).isEqualTo("rw-------");

    Files.delete(config);
    Files.createSymbolicLink(config, victim);
    assertThatThrownBy(() -> PrivateFiles.writeAtomically(config, "{}\n"))
        .isInstanceOf(UnsafePathException.class)
        .hasMessage("`.code-indexer/config.json` is a symbolic link; cidx will not write through it: remove it");
    assertThat(Files.readString(victim)).isEqualTo("precious");
    assertThat(data.resolve("config.json.tmp")).doesNotExist();
  }

  @Test
  void writeAtomically_removesAPlantedTempLink_withoutWritingThroughIt() throws Exception {
    PrivateFiles.directory(data);
    Files.createSymbolicLink(data.resolve("config.json.tmp"), victim);
    PrivateFiles.writeAtomically(data.resolve("config.json"), "{}\n");
    assertThat(Files.readString(victim)).isEqualTo("precious");
    assertThat(Files.readString(data.resolve("config.json"))).isEqualTo("{}\n");
  }

  @Test
  void deleteIfExists_removesTheLink_notItsTarget() throws Exception {
    PrivateFiles.directory(data);
    Path link = Files.createSymbolicLink(data.resolve("embeddings.cache"), victim);
    assertThat(PrivateFiles.deleteIfExists(link)).isTrue();
    assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(Files.readString(victim)).isEqualTo("precious");
  }

  @Test
  void checkContents_refusesALink_andTightensFiles() throws Exception {
    Path index = PrivateFiles.directory(data.resolve("index"));
    Path segment = Files.writeString(index.resolve("_0.cfs"), "x");
    Files.setPosixFilePermissions(segment, PosixFilePermissions.fromString("rw-r--r--"));
    PrivateFiles.checkContents(index);
    assertThat(mode(segment)).isEqualTo("rw-------");

    Files.createSymbolicLink(index.resolve("write.lock"), victim);
    assertThatThrownBy(() -> PrivateFiles.checkContents(index))
        .isInstanceOf(UnsafePathException.class)
        .hasMessage("`.code-indexer/index/write.lock` is a symbolic link; cidx will not write through it: remove it");
  }

  @Test
  void quote_showsAPathOutsideARepositoryWhole() {
    assertThat(PrivateFiles.quote(Path.of("/run/user/0/cidx"))).isEqualTo("`/run/user/0/cidx`");
  }
}
