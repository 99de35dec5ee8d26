package dev.cidx.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;

/**
 * The user this process runs as (its effective uid), which is what owns the files and sockets it creates
 * and what a peer sees through {@code SO_PEERCRED}. The JDK has no {@code geteuid()}; the owner of
 * {@code /proc/self} is exactly that on Linux (one {@code stat}, no user-database lookup). Where there is
 * no {@code /proc} (macOS), the owner of a temporary file this process creates and deletes says the same.
 * Each is read once per process.
 */
public final class CurrentUser {
  private static volatile Integer uid;
  private static volatile UserPrincipal principal;

  private CurrentUser() {}

  /** The effective uid of this process. */
  public static int uid() {
    Integer known = uid;
    if (known == null) {
      known = (Integer) read("unix:uid");
      uid = known;
    }
    return known;
  }

  /**
   * The same user as a principal, comparable with {@code equals} to the owner of a file or to the user of
   * a {@code jdk.net.UnixDomainPrincipal} (the JDK's Unix principals compare by uid). Read on first use:
   * making it looks the name up in the user database, which {@link #uid()} avoids.
   */
  public static UserPrincipal principal() {
    UserPrincipal known = principal;
    if (known == null) {
      known = (UserPrincipal) read("unix:owner");
      principal = known;
    }
    return known;
  }

  private static Object read(String attribute) {
    Path self = Path.of("/proc/self");
    try {
      if (Files.isDirectory(self)) {
        return Files.getAttribute(self, attribute); // follows /proc/self to /proc/PID, owned by the euid
      }
      Path probe = Files.createTempFile("cidx-uid", ".tmp");
      try {
        return Files.getAttribute(probe, attribute);
      } finally {
        Files.deleteIfExists(probe);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot tell which user this process runs as: " + e.getMessage(), e);
    }
  }
}
