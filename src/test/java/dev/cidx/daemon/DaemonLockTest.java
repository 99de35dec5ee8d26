package dev.cidx.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cidx.config.RepoPaths;
import dev.cidx.config.UnsafePathException;
import dev.cidx.testing.TestRepo;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonLockTest {
  @TempDir Path root;

  @Test
  void tryAcquire_writesThePid_andASecondAcquireInTheSameJvmFails() throws Exception {
    RepoPaths repo = TestRepo.create(root);
    try (DaemonLock first = DaemonLock.tryAcquire(repo).orElseThrow()) {
      assertThat(DaemonLock.tryAcquire(repo)).isEmpty();
      assertThat(DaemonLock.holderPid(repo)).hasValue(ProcessHandle.current().pid());
      assertThat(first.socketPath()).isEqualTo(repo.socketPath());
    }
    try (DaemonLock again = DaemonLock.tryAcquire(repo).orElseThrow()) {
      assertThat(again).isNotNull();
    }
  }

  @Test
  void twoServersRacingOnOneRepo_exactlyOneBinds() throws Exception {
    RepoPaths repo = TestRepo.create(root);
    int racers = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    List<DaemonServer> servers = new ArrayList<>();
    try {
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        DaemonServer s = DaemonServer.builder(repo).build();
        servers.add(s);
        tasks.add(() -> {
          go.await();
          try {
            s.start();
            return true;
          } catch (DaemonAlreadyRunningException e) {
            return false;
          }
        });
      }
      List<Future<Boolean>> results = new ArrayList<>();
      for (Callable<Boolean> t : tasks) {
        results.add(pool.submit(t));
      }
      go.countDown();
      int winners = 0;
      for (Future<Boolean> f : results) {
        winners += f.get() ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
      assertThat(DaemonLock.isSocket(repo.socketPath())).isTrue();
    } finally {
      servers.forEach(s -> s.stop("test over"));
      pool.shutdownNow();
    }
    assertThat(Files.exists(repo.socketPath(), LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void bind_removesAStaleSocket_leftByADeadDaemon() throws Exception {
    RepoPaths repo = TestRepo.create(root);
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(repo.socketPath())); // closing does not unlink: stale socket
    }
    assertThat(DaemonLock.isSocket(repo.socketPath())).isTrue();
    assertThatThrownBy(() -> dev.cidx.client.DaemonClient.connect(repo.socketPath()))
        .isInstanceOf(dev.cidx.client.DaemonUnavailableException.class);
    try (DaemonLock lock = DaemonLock.tryAcquire(repo).orElseThrow(); ServerSocketChannel ch = lock.bind()) {
      dev.cidx.client.DaemonClient.connect(repo.socketPath()).close(); // the new socket accepts
      assertThat(lock.socketStillOurs()).isTrue();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(repo.socketPath()))).isEqualTo("rw-------");
    }
    assertThat(Files.exists(repo.socketPath(), LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void close_leavesASocketThatIsNotItsOwn() throws Exception {
    RepoPaths repo = TestRepo.create(root);
    DaemonLock lock = DaemonLock.tryAcquire(repo).orElseThrow();
    try (ServerSocketChannel ours = lock.bind()) {
      Files.delete(repo.socketPath());
      try (ServerSocketChannel intruder = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        intruder.bind(UnixDomainSocketAddress.of(repo.socketPath()));
        assertThat(lock.socketStillOurs()).isFalse();
        lock.close();
        assertThat(DaemonLock.isSocket(repo.socketPath())).isTrue();
      }
    } finally {
      lock.close();
      Files.deleteIfExists(repo.socketPath());
    }
  }

  @Test
  void bind_refusesToRemoveSomethingThatIsNotASocket() throws Exception {
    RepoPaths repo = TestRepo.create(root);
    Files.writeString(repo.socketPath(), "precious");
    try (DaemonLock lock = DaemonLock.tryAcquire(repo).orElseThrow()) {
      assertThatThrownBy(lock::bind)
          .hasMessage(repo.socketPath() + " exists and is not a socket; move it away and retry");
    }
    assertThat(Files.readString(repo.socketPath())).isEqualTo("precious");
  }

  @Test
  void groupWritableDataDir_isMadeOwnerOnly() throws Exception {
    RepoPaths repo = TestRepo.create(root);
    Files.setPosixFilePermissions(repo.dataDir(), PosixFilePermissions.fromString("rwxrwxrwx"));
    Optional<DaemonLock> lock = DaemonLock.tryAcquire(repo);
    lock.ifPresent(DaemonLock::close);
    assertThat(lock).isPresent();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(repo.dataDir()))).isEqualTo("rwx------");
  }

  @Test
  void lockFile_isOwnerOnly() throws Exception {
    RepoPaths repo = TestRepo.create(root);
    try (DaemonLock lock = DaemonLock.tryAcquire(repo).orElseThrow()) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(repo.lockFile()))).isEqualTo("rw-------");
    }
  }

  @Test
  void lockFileThatIsALink_isRefused_andItsTargetUntouched() throws Exception {
    RepoPaths repo = TestRepo.create(root);
    Path victim = Files.writeString(root.resolve("victim.txt"), "precious");
    Files.createSymbolicLink(repo.lockFile(), victim);
    assertThatThrownBy(() -> DaemonLock.tryAcquire(repo))
        .isInstanceOf(UnsafePathException.class)
        .hasMessage("`.code-indexer/daemon.lock` is a symbolic link; cidx will not write through it: remove it");
    assertThat(Files.readString(victim)).isEqualTo("precious");
  }
}
