package dev.cidx.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;

/**
 * The user this process runs as (its effective uid), which is what owns the files and sockets it creates
 * and what a peer sees through {@code SO_PEERCRED}. The JDK has no {@code geteuid()}; the owner of
 * {@code /proc/self} is exactly that on Linux (one {@code stat}, no user-database lookup). Where there is
 * no {@code /proc} (macOS), the owner of a temporary file this process creates and deletes says the same.
 * Read once per process.
 */
public final class CurrentUser {
  private static volatile CurrentUser cached;

  private final int uid;
  private final UserPrincipal principal;

  private CurrentUser(int uid, UserPrincipal principal) {
    this.uid = uid;
    this.principal = principal;
  }

  /** The effective uid of this process. */
  public static int uid() {
    return get().uid;
  }

  /**
   * The same user as a principal, comparable with {@code equals} to the owner of a file or to the user of
   * a {@code jdk.net.UnixDomainPrincipal} (the JDK's Unix principals compare by uid).
   */
  public static UserPrincipal principal() {
    return get().principal;
  }

  private static CurrentUser get() {
    CurrentUser user = cached;
    if (user == null) {
      user = read();
      cached = user;
    }
    return user;
  }

  private static CurrentUser read() {
    Path self = Path.of("/proc/self");
    try {
      if (Files.isDirectory(self)) {
        return of(self);
      }
      Path probe = Files.createTempFile("cidx-uid", ".tmp");
      try {
        return of(probe);
      } finally {
        Files.deleteIfExists(probe);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot tell which user this process runs as: " + e.getMessage(), e);
    }
  }

  private static CurrentUser of(Path ownedByUs) throws IOException {
    // Follows /proc/self to /proc/PID, which the kernel gives to the process's effective uid.
    Map<String, Object> attributes = Files.readAttributes(ownedByUs, "unix:uid,owner");
    return new CurrentUser((Integer) attributes.get("uid"), (UserPrincipal) attributes.get("owner"));
  }
}
