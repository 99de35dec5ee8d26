package dev.cidx.protocol;

/**
 * The versions a client and a daemon compare in their handshake. A daemon of another cidx or protocol
 * version is stopped and replaced, so an upgrade never leaves commands failing against an old daemon.
 */
public final class Version {
  /** The cidx release; the same for the CLI and the daemon it starts. */
  public static final String CIDX = "0.1.0";
  /** Bumped on any incompatible change to a method's parameters or results. */
  public static final int PROTOCOL = 1;

  private Version() {}
}
