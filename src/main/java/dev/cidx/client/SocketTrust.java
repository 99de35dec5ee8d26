package dev.cidx.client;

import dev.cidx.config.CurrentUser;
import dev.cidx.config.UnsafePathException;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Whether a daemon socket may be talked to. A socket is where the client sends the user's command line,
 * query and cidx environment, and whose answers it prints; a socket another user controls could read all
 * of it or answer with anything. Every connect in this package goes through {@link DaemonClient#connect},
 * which applies these rules; the C client applies the same ones:
 * <ol>
 *   <li>Before connecting, {@code lstat} the socket: {@code S_ISSOCK(st_mode)} (a symbolic link or a regular
 *       file is refused, never followed) and {@code st_uid == geteuid()}. A missing socket is not a refusal:
 *       there is simply no daemon.</li>
 *   <li>{@code lstat} its parent directory: {@code S_ISDIR(st_mode)} (not a symbolic link),
 *       {@code st_uid == geteuid()} and {@code (st_mode & 022) == 0}, so nobody else can replace the socket
 *       between this check and the connect.</li>
 *   <li>After connecting, before sending a byte: the peer's {@code SO_PEERCRED} uid {@code == geteuid()}.
 *       This is what defeats a swap after the checks above.</li>
 * </ol>
 * A refusal is an {@link UnsafePathException} whose message is one line; callers run the command without
 * the daemon. The client never deletes, chmods or otherwise touches a refused path. The daemon applies
 * rule 3 to each connection it accepts ({@code dev.cidx.daemon.DaemonServer}).
 */
public final class SocketTrust {
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFLNK = 0120000;
  private static final int GROUP_OR_OTHER_WRITE = 0022;

  private SocketTrust() {}

  /**
   * Rules 2 and 1: the socket's directory, then the socket file, before connecting. The directory comes
   * first so that a command in a directory it must not trust runs standalone at once, instead of starting
   * a daemon there first.
   */
  public static void checkPath(Path socket) {
    int me = CurrentUser.uid();
    if (!checkDirectory(socket.toAbsolutePath().getParent(), me)) {
      return; // no directory, so no socket: no daemon, which the connect reports
    }
    Map<String, Object> attrs;
    try {
      attrs = Files.readAttributes(socket, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return; // no daemon; the connect reports it
    } catch (IOException e) {
      throw untrusted(socket, "cannot check the daemon socket " + socket + " (" + e.getMessage()
          + "); cidx will not talk to it");
    }
    int type = (Integer) attrs.get("mode") & S_IFMT;
    if (type != S_IFSOCK) {
      throw untrusted(socket, "the daemon socket " + socket + " is " + describeType(type)
          + ", not a socket; cidx will not talk to it: remove it");
    }
    if ((Integer) attrs.get("uid") != me) {
      throw untrusted(socket, "the daemon socket " + socket + " is owned by " + ownerName(socket)
          + ", not you; cidx will not talk to it");
    }
  }

  /** False when {@code dir} does not exist; throws when it exists and is not the user's alone. */
  private static boolean checkDirectory(Path dir, int me) {
    Map<String, Object> attrs;
    try {
      attrs = Files.readAttributes(dir, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw untrusted(dir, "cannot check the socket directory " + dir + " (" + e.getMessage()
          + "); cidx will not talk to a daemon there");
    }
    int mode = (Integer) attrs.get("mode");
    if ((mode & S_IFMT) != S_IFDIR) {
      throw untrusted(dir, "the socket directory " + dir + " is " + describeType(mode & S_IFMT)
          + ", not a directory; cidx will not talk to a daemon there");
    }
    if ((Integer) attrs.get("uid") != me) {
      throw untrusted(dir, "the socket directory " + dir + " is owned by " + ownerName(dir)
          + ", not you; cidx will not talk to a daemon there");
    }
    if ((mode & GROUP_OR_OTHER_WRITE) != 0) {
      throw untrusted(dir, "the socket directory " + dir + " is writable by others (mode "
          + String.format(Locale.ROOT, "%04o", mode & 07777) + "); cidx will not talk to a daemon there: run"
          + " `chmod go-w " + dir + "`");
    }
    return true;
  }

  /** Rule 3: the process at the other end of {@code channel} runs as this user. */
  public static void checkPeer(SocketChannel channel, Path socket) throws IOException {
    UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
    if (!CurrentUser.principal().equals(peer.user())) { // the JDK's Unix principals compare by uid
      throw untrusted(socket, "the daemon on " + socket + " runs as " + peer.user().getName()
          + ", not you; cidx will not talk to it");
    }
  }

  private static String describeType(int type) {
    return switch (type) {
      case S_IFLNK -> "a symbolic link";
      case S_IFDIR -> "a directory";
      case 0100000 -> "a regular file";
      case S_IFSOCK -> "a socket";
      default -> "a special file";
    };
  }

  private static String ownerName(Path path) {
    try {
      return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName();
    } catch (IOException e) {
      return "another user";
    }
  }

  /** A refusal that leaves the command to run without the daemon. */
  private static UnsafePathException untrusted(Path path, String message) {
    return new UnsafePathException(path, message, UnsafePathException.Use.CONNECT);
  }
}
