package dev.cidx.mcp;

import dev.cidx.client.DaemonClient;
import dev.cidx.client.DaemonRpcException;
import dev.cidx.client.DaemonStarter;
import dev.cidx.client.DaemonUnavailableException;
import dev.cidx.config.UnsafePathException;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.search.QueryService;
import dev.cidx.search.SearchException;
import java.io.PrintStream;

/**
 * Queries through the repository's daemon (started on demand, as {@code cidx query} does), over one
 * connection kept open between calls so a warm query is one request; standalone when no daemon can be
 * reached. A lost connection is reopened once before falling back. The daemon's errors (no index, a bad
 * query) come back as its one-line message, as the CLI prints them.
 *
 * <p>Threads: calls are serialized on this object, because a {@link DaemonClient} carries one
 * conversation at a time; the daemon itself answers queries from several servers concurrently.
 */
final class DaemonFirstQueries implements QueryService {
  private final McpSetup setup;
  private final PrintStream log;
  /** Guarded by this. */
  private DaemonClient client;

  DaemonFirstQueries(McpSetup setup, PrintStream log) {
    this.setup = setup;
    this.log = log;
  }

  @Override
  public synchronized QueryResult query(QueryRequest request) throws SearchException {
    if (!setup.useDaemon()) {
      return setup.standaloneQueries().query(request);
    }
    String problem;
    try {
      return viaDaemon(request);
    } catch (DaemonRpcException e) {
      throw new SearchException(SearchException.Reason.BAD_QUERY, e.getMessage(), e);
    } catch (DaemonUnavailableException e) {
      problem = "daemon unavailable (" + firstLine(e.getMessage()) + ")";
    } catch (UnsafePathException e) {
      if (e.use() == UnsafePathException.Use.WRITE) {
        throw e;
      }
      problem = firstLine(e.getMessage());
    }
    log.println("cidx: " + problem + "; running standalone");
    return setup.standaloneQueries().query(request);
  }

  /** One try on the open connection, then one on a fresh one (starting the daemon if needed). */
  private QueryResult viaDaemon(QueryRequest request) throws DaemonUnavailableException, DaemonRpcException {
    if (client != null) {
      try {
        return client.query(request);
      } catch (DaemonUnavailableException e) {
        close(); // the daemon stopped (idle, replaced): start or reach the next one below
      }
    }
    client = new DaemonStarter(setup.repo(), setup.config().daemon(), setup.daemonCommand()).connect();
    try {
      return client.query(request);
    } catch (DaemonUnavailableException e) {
      close();
      throw e;
    }
  }

  synchronized void close() {
    if (client != null) {
      client.close();
      client = null;
    }
  }

  static String firstLine(String message) {
    if (message == null) {
      return "unknown reason";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
