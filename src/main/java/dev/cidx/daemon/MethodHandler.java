package dev.cidx.daemon;

import dev.cidx.protocol.ErrorCode;
import dev.cidx.protocol.Messages.ClearCacheResult;
import dev.cidx.protocol.Messages.HelloParams;
import dev.cidx.protocol.Messages.HelloResult;
import dev.cidx.protocol.Messages.NoParams;
import dev.cidx.protocol.Messages.OutputParams;
import dev.cidx.protocol.Messages.PingResult;
import dev.cidx.protocol.Messages.RunParams;
import dev.cidx.protocol.Messages.RunResult;
import dev.cidx.protocol.Messages.ShutdownResult;
import dev.cidx.protocol.Messages.StatusResult;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.Version;
import dev.cidx.search.SearchException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.logging.Logger;

/** The daemon's methods for one connection; one instance per {@link Connection}, called on its thread. */
final class MethodHandler implements DaemonRpc {
  private static final Logger LOG = Logger.getLogger(MethodHandler.class.getName());

  private final DaemonServer server;
  private final Connection connection;

  MethodHandler(DaemonServer server, Connection connection) {
    this.server = server;
    this.connection = connection;
  }

  @Override
  public HelloResult hello(HelloParams params) {
    if (!Version.CIDX.equals(params.clientVersion()) || Version.PROTOCOL != params.protocolVersion()) {
      LOG.info("client " + params.clientVersion() + " (protocol " + params.protocolVersion()
          + ") differs from this daemon " + Version.CIDX + " (protocol " + Version.PROTOCOL + ")");
    }
    return new HelloResult(Version.CIDX, Version.PROTOCOL, ProcessHandle.current().pid(),
        server.repo().root().toString(), server.socketPath().toString());
  }

  @Override
  public PingResult ping(NoParams params) {
    return new PingResult(true, ProcessHandle.current().pid());
  }

  @Override
  public StatusResult status(NoParams params) {
    return server.status();
  }

  @Override
  public QueryResult query(QueryRequest request) throws SearchException {
    return server.queries().query(request);
  }

  @Override
  public RunResult run(RunParams params) throws Exception {
    if (!params.clientMatchesCurrentVersion()) {
      // Checked here rather than by a hello per command: one round trip for a warm query.
      throw new RpcException(ErrorCode.VERSION_MISMATCH, "version mismatch: the client is cidx " + params.clientVersion()
          + " (protocol " + params.protocolVersion() + "), this daemon " + Version.CIDX + " (protocol "
          + Version.PROTOCOL + "); replace the daemon");
    }
    CommandRunner runner = server.commandRunner();
    if (runner == null) {
      throw new RpcException(ErrorCode.METHOD_NOT_FOUND, "method not found: run (this daemon has no command runner)");
    }
    try (PrintStream out = connection.outputStream(OutputParams.STDOUT);
         PrintStream err = connection.outputStream(OutputParams.STDERR)) {
      CommandRunner.Invocation invocation = new CommandRunner.Invocation(params.argv(), Path.of(params.cwd()),
          params.env(), params.terminal(), out, err, server.queries(), connection::isBroken);
      int exit = runner.run(invocation);
      out.flush();
      err.flush();
      return new RunResult(exit);
    }
  }

  @Override
  public ClearCacheResult clearCache(NoParams params) {
    boolean cleared = server.cache().clear("clear_cache requested by a client");
    if (cleared) {
      server.recordExpiry("cleared by clear_cache");
    }
    return new ClearCacheResult(cleared);
  }

  @Override
  public ShutdownResult shutdown(NoParams params) {
    // Stop runs on its own thread and first waits for requests in flight, this one included, so the
    // response below is written before the connection is closed.
    server.requestStop("shutdown requested by a client");
    return new ShutdownResult(true);
  }
}
