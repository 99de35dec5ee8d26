package dev.cidx.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.config.UnsafePathException;
import dev.cidx.testing.FakeDaemon;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests run as root; {@code nobody} stands for another user. The peer rule against a foreign process is in HostileTrustIT. */
class SocketTrustTest {
  @TempDir Path root;

  private FakeDaemon daemon(Path socket) throws IOException {
    return new FakeDaemon(socket, request -> FakeDaemon.Reply.of(FakeDaemon.result(request, Map.of("pid", 1))));
  }

  private Path privateDir(String name) throws IOException {
    return Files.createDirectory(root.resolve(name),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  @Test
  void ownSocketInOwnDirectory_isTrusted_andAnswers() throws Exception {
    Path socket = privateDir("dir").resolve("daemon.sock");
    try (FakeDaemon fake = daemon(socket); DaemonClient client = DaemonClient.connect(socket)) {
      JsonNode pong = client.call("ping", null);
      assertThat(pong.path("pid").asInt()).isEqualTo(1);
    }
  }

  @Test
  void aGroupReadableDirectory_isFine_onlyWritingIsRefused() throws Exception {
    Path dir = privateDir("dir");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path socket = dir.resolve("daemon.sock");
    try (FakeDaemon fake = daemon(socket)) {
      assertThatCode(() -> SocketTrust.checkPath(socket)).doesNotThrowAnyException();
    }
  }

  @Test
  void missingSocket_isNoRefusal_justNoDaemon() throws Exception {
    Path socket = privateDir("dir").resolve("daemon.sock");
    assertThatCode(() -> SocketTrust.checkPath(socket)).doesNotThrowAnyException();
    assertThatThrownBy(() -> DaemonClient.connect(socket)).isInstanceOf(DaemonUnavailableException.class);
  }

  @Test
  void socketOwnedByAnotherUser_isRefused_andNothingIsSent() throws Exception {
    Path socket = privateDir("dir").resolve("daemon.sock");
    try (FakeDaemon fake = daemon(socket)) {
      Files.setOwner(socket, nobody());
      assertThatThrownBy(() -> DaemonClient.connect(socket))
          .isInstanceOf(UnsafePathException.class)
          .hasMessage("the daemon socket " + socket + " is owned by nobody, not you; cidx will not talk to it");
      assertThat(fake.methods).isEmpty();
    }
  }

  @Test
  void regularFileAtTheSocketPath_isRefused() throws Exception {
    Path socket = Files.writeString(privateDir("dir").resolve("daemon.sock"), "not a socket");
    assertThatThrownBy(() -> DaemonClient.connect(socket))
        .isInstanceOf(UnsafePathException.class)
        .hasMessage("the daemon socket " + socket + " is a regular file, not a socket; cidx will not talk to it:"
            + " remove it");
  }

  @Test
  void symlinkToARealSocket_isRefused_notFollowed() throws Exception {
    Path real = privateDir("real").resolve("daemon.sock");
    Path socket = privateDir("dir").resolve("daemon.sock");
    try (FakeDaemon fake = daemon(real)) {
      Files.createSymbolicLink(socket, real);
      assertThatThrownBy(() -> DaemonClient.connect(socket))
          .isInstanceOf(UnsafePathException.class)
          .hasMessage("the daemon socket " + socket + " is a symbolic link, not a socket; cidx will not talk to"
              + " it: remove it");
      assertThat(fake.methods).isEmpty();
    }
  }

  @Test
  void directoryWritableByOthers_isRefused() throws Exception {
    Path dir = privateDir("dir");
    Path socket = dir.resolve("daemon.sock");
    try (FakeDaemon fake = daemon(socket)) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
      assertThatThrownBy(() -> DaemonClient.connect(socket))
          .isInstanceOf(UnsafePathException.class)
          .hasMessage("the socket directory " + dir + " is writable by others (mode 0777); cidx will not talk to"
              + " a daemon there: run `chmod go-w " + dir + "`");
      assertThat(fake.methods).isEmpty();
    }
  }

  @Test
  void directoryWritableByItsGroup_isRefused() throws Exception {
    Path dir = privateDir("dir");
    Path socket = dir.resolve("daemon.sock");
    try (FakeDaemon fake = daemon(socket)) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwx---"));
      assertThatThrownBy(() -> SocketTrust.checkPath(socket)).hasMessageContaining("(mode 0770)");
    }
  }

  @Test
  void directoryOwnedByAnotherUser_isRefused() throws Exception {
    Path dir = privateDir("dir");
    Path socket = dir.resolve("daemon.sock");
    try (FakeDaemon fake = daemon(socket)) {
      Files.setOwner(dir, nobody());
      assertThatThrownBy(() -> SocketTrust.checkPath(socket))
          .isInstanceOf(UnsafePathException.class)
          .hasMessage("the socket directory " + dir + " is owned by nobody, not you; cidx will not talk to a daemon"
              + " there");
    }
  }

  @Test
  void directoryThatIsASymlink_isRefused() throws Exception {
    Path real = privateDir("real");
    Path link = Files.createSymbolicLink(root.resolve("link"), real);
    try (FakeDaemon fake = daemon(real.resolve("daemon.sock"))) {
      Path socket = link.resolve("daemon.sock");
      assertThatThrownBy(() -> SocketTrust.checkPath(socket))
          .isInstanceOf(UnsafePathException.class)
          .hasMessage("the socket directory " + link + " is a symbolic link, not a directory; cidx will not talk to"
              + " a daemon there");
    }
  }

  @Test
  void peerRunningAsThisUser_isTrusted() throws Exception {
    Path socket = privateDir("dir").resolve("daemon.sock");
    try (FakeDaemon fake = daemon(socket);
         SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      assertThatCode(() -> SocketTrust.checkPeer(channel, socket)).doesNotThrowAnyException();
    }
  }

  private UserPrincipal nobody() throws IOException {
    return root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
  }
}
