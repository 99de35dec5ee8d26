package dev.cidx.daemon;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A daemon whose own classes can no longer be loaded exits. This happens when cidx is rebuilt or
 * upgraded in place while a daemon runs ({@code mvn package} rewrites {@code target/cidx.jar}): every
 * class the daemon had not loaded yet fails with {@link NoClassDefFoundError}, so it can serve no new
 * kind of request, nor even stop in order, while it still holds the lock that keeps a new daemon out.
 * Exiting at once releases the lock (the kernel drops it), and the next client starts a daemon from
 * the new jar, which removes the stale socket. Loaded when the daemon starts ({@link #load()}), before
 * any jar could be replaced.
 */
final class MissingClasses {
  private static final Logger LOG = Logger.getLogger(MissingClasses.class.getName());

  private MissingClasses() {}

  /** Does nothing but load this class (a constant would be inlined and load nothing). */
  static void load() {}

  /** Exits the process when {@code t}, or a cause of it, is one of cidx's classes failing to load. */
  static void exitIfCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof NoClassDefFoundError && String.valueOf(c.getMessage()).startsWith("dev/cidx/")) {
        try {
          LOG.log(Level.SEVERE, "cidx's classes cannot be loaded any more (was its jar replaced while the daemon ran?);"
              + " exiting so that the next command starts a daemon from the new one", t);
        } finally {
          Runtime.getRuntime().halt(3);
        }
      }
    }
  }
}
