package dev.cidx.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The versions a client and a daemon compare in their handshake. A daemon of another cidx or protocol
 * version is stopped and replaced, so an upgrade never leaves commands failing against an old daemon.
 *
 * <p>{@link #CIDX} carries the build's timestamp: rebuilding cidx replaces the jars under a running
 * daemon, which then fails on the next class it loads. With the build in the version, the first client
 * of the new build replaces that daemon instead of talking to it.
 */
public final class Version {
  /** The cidx release and build; the same for the CLI and the daemon it starts. */
  public static final String CIDX = "0.1.0+" + build();
  /** Bumped on any incompatible change to a method's parameters or results. */
  public static final int PROTOCOL = 1;

  private Version() {}

  private static String build() {
    Properties p = new Properties();
    try (InputStream in = Version.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // unreadable: fall through to the marker below
    }
    String build = p.getProperty("build", "");
    return build.isEmpty() || build.startsWith("${") ? "dev" : build;
  }
}
