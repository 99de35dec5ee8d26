package dev.cidx.daemon;

import dev.cidx.config.DaemonSettings;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's open connections: admits a new one under {@code daemon.max_connections} ({@link #admit}),
 * closes those that hold a thread for nothing ({@link #closeIdle}, the reaper), and closes them all on stop.
 *
 * <p>Threads: {@link #open} and {@link #admit} run on the accept thread only; {@link #closeIdle} on the
 * scheduler; a connection removes itself on its pool thread when it ends; {@link #closeAll} on the stop
 * thread. The set is concurrent; nothing else is shared.
 */
final class ConnectionRegistry {
  private static final Logger LOG = Logger.getLogger(ConnectionRegistry.class.getName());

  private final Supplier<DaemonSettings> settings;
  private final Duration idleTimeout;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger ids = new AtomicInteger();

  /** @param idleTimeout a connection silent this long, with no request in flight, is closed */
  ConnectionRegistry(Supplier<DaemonSettings> settings, Duration idleTimeout) {
    this.settings = settings;
    this.idleTimeout = idleTimeout;
  }

  /** A new connection on {@code channel}, registered until it ends or {@link #remove} is called. */
  Connection open(DaemonServices services, SocketChannel channel) {
    Connection c = new Connection(services, channel, ids.incrementAndGet(), connections::remove);
    connections.add(c);
    return c;
  }

  void remove(Connection c) {
    connections.remove(c);
  }

  int size() {
    return connections.size();
  }

  /**
   * Makes room for one more connection under {@code daemon.max_connections}; false when every open one
   * has a request in flight. At the cap, the idlest connection with no request in flight (the longest
   * since its last complete request) is closed for the newcomer: idle connections cost a thread each and
   * are cheap to reopen (every cidx command opens its own), while refusing would let 64 silent or
   * trickling connections lock every user out until the idle timeout. Only the accept thread calls it.
   */
  boolean admit() {
    int max = settings.get().maxConnections();
    while (connections.size() >= max) {
      Connection idlest = null;
      for (Connection c : connections) {
        if (!c.inRequest() && (idlest == null || c.idleNanos() > idlest.idleNanos())) {
          idlest = c;
        }
      }
      if (idlest == null) {
        return false;
      }
      LOG.fine("closing connection " + idlest.id() + " (no request in flight) to make room: " + max + " are open");
      idlest.close();
      connections.remove(idlest);
    }
    return true;
  }

  /**
   * Closes connections that hold a thread for nothing: no complete request for the idle timeout (bytes
   * trickled without a newline do not count), a request begun but unfinished after
   * {@link Connection#REQUEST_READ_TIMEOUT_NANOS}, or an answer the client has not taken within the query
   * budget (it stopped reading; the request's thread is blocked in its write until the close).
   */
  void closeIdle() {
    try {
      long limit = idleTimeout.toNanos();
      long writeLimit = settings.get().queryTimeout().toNanos();
      for (Connection c : connections) {
        if (!c.inRequest() && c.idleNanos() > limit) {
          LOG.fine("closing connection " + c.id() + ": no request for " + idleTimeout);
          c.close();
        } else if (!c.inRequest() && c.partialRequestNanos() > Connection.REQUEST_READ_TIMEOUT_NANOS) {
          LOG.fine("closing connection " + c.id() + ": its request did not arrive within "
              + TimeUnit.NANOSECONDS.toSeconds(Connection.REQUEST_READ_TIMEOUT_NANOS) + " s");
          c.close();
        } else if (c.stalledWriteNanos() > writeLimit) {
          LOG.warning("closing connection " + c.id() + ": the client has not read its answer for "
              + settings.get().queryTimeout().toSeconds() + " s");
          c.close();
        }
      }
    } catch (Throwable t) {
      // A scheduled task that throws is never run again: log and carry on.
      LOG.log(Level.SEVERE, "idle-connection check failed", t);
    }
  }

  /** Closes every connection: idle ones wait in read, cut ones lose a client that is gone anyway. */
  void closeAll() {
    for (Connection c : connections) {
      c.close();
    }
  }
}
