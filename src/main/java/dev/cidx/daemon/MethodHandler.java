package dev.cidx.daemon;

import dev.cidx.protocol.ErrorCode;
import dev.cidx.protocol.Messages.ClearCacheResult;
import dev.cidx.protocol.Messages.HelloParams;
import dev.cidx.protocol.Messages.HelloResult;
import dev.cidx.protocol.Messages.IndexCancelResult;
import dev.cidx.protocol.Messages.IndexParams;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.protocol.Messages.NoParams;
import dev.cidx.protocol.Messages.NotifyParams;
import dev.cidx.protocol.Messages.NotifyResult;
import dev.cidx.protocol.Messages.OutputParams;
import dev.cidx.protocol.Messages.PingResult;
import dev.cidx.protocol.Messages.RunParams;
import dev.cidx.protocol.Messages.RunResult;
import dev.cidx.protocol.Messages.ShutdownParams;
import dev.cidx.protocol.Messages.ShutdownResult;
import dev.cidx.protocol.Messages.StatusResult;
import dev.cidx.protocol.Messages.WatchParams;
import dev.cidx.protocol.Messages.WatchStartResult;
import dev.cidx.protocol.Messages.WatchStopResult;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.Methods;
import dev.cidx.protocol.Version;
import dev.cidx.index.IndexException;
import dev.cidx.search.SearchException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/** The daemon's methods for one client ({@link ClientChannel}); one instance per connection, called on its thread. */
final class MethodHandler implements DaemonRpc {
  private static final Logger LOG = Logger.getLogger(MethodHandler.class.getName());
  /**
   * How often a client following an index run hears its progress. Also how soon a client that went away
   * is noticed: the next notification's write fails, and the run is cancelled if that client started it.
   */
  static final long PROGRESS_INTERVAL_MS = 250;

  private final DaemonServices daemon;
  private final ClientChannel connection;

  MethodHandler(DaemonServices daemon, ClientChannel connection) {
    this.daemon = daemon;
    this.connection = connection;
  }

  @Override
  public HelloResult hello(HelloParams params) {
    if (!Version.CIDX.equals(params.clientVersion()) || Version.PROTOCOL != params.protocolVersion()) {
      LOG.info("client " + params.clientVersion() + " (protocol " + params.protocolVersion()
          + ") differs from this daemon " + Version.CIDX + " (protocol " + Version.PROTOCOL + ")");
    }
    return new HelloResult(Version.CIDX, Version.PROTOCOL, ProcessHandle.current().pid(),
        daemon.repo().root().toString(), daemon.socketPath().get().toString());
  }

  @Override
  public PingResult ping(NoParams params) {
    return new PingResult(true, ProcessHandle.current().pid());
  }

  @Override
  public StatusResult status(NoParams params) {
    return daemon.status().status();
  }

  @Override
  public QueryResult query(QueryRequest request) throws SearchException {
    return daemon.queries().query(request);
  }

  @Override
  public RunResult run(RunParams params) throws Exception {
    if (!params.clientMatchesCurrentVersion()) {
      // Checked here rather than by a hello per command: one round trip for a warm query.
      throw new RpcException(ErrorCode.VERSION_MISMATCH, "version mismatch: the client is cidx " + params.clientVersion()
          + " (protocol " + params.protocolVersion() + "), this daemon " + Version.CIDX + " (protocol "
          + Version.PROTOCOL + "); replace the daemon");
    }
    CommandRunner runner = daemon.commandRunner();
    if (runner == null) {
      throw new RpcException(ErrorCode.METHOD_NOT_FOUND, "method not found: run (this daemon has no command runner)");
    }
    Path cwd = insideRepository(params.cwd());
    try (PrintStream out = connection.outputStream(OutputParams.STDOUT);
         PrintStream err = connection.outputStream(OutputParams.STDERR)) {
      CommandRunner.Invocation invocation = new CommandRunner.Invocation(params.argv(), cwd,
          params.env(), params.terminal(), out, err, daemon.queries(), connection::isBroken);
      int exit = runner.run(invocation);
      out.flush();
      err.flush();
      return new RunResult(exit);
    }
  }

  /**
   * The real path of a {@code run} request's directory, which must be inside this daemon's repository:
   * a command runs as the daemon's user, so a request must not reach files elsewhere through it. Real
   * paths on both sides, so a symbolic link cannot lead out and another spelling of the repository is
   * still inside.
   */
  private Path insideRepository(String cwd) throws RpcException {
    Path root = daemon.repo().root();
    Path realRoot;
    Path real;
    try {
      realRoot = root.toRealPath();
      real = Path.of(cwd).toRealPath();
    } catch (IOException | java.nio.file.InvalidPathException e) {
      throw new RpcException(ErrorCode.INVALID_PARAMS, "run refused: cwd " + cwd + " cannot be resolved ("
          + e.getMessage() + ")");
    }
    if (!real.startsWith(realRoot)) {
      throw new RpcException(ErrorCode.INVALID_PARAMS, "run refused: cwd " + real + " is outside this daemon's "
          + "repository " + realRoot);
    }
    return real;
  }

  /**
   * Starts an index run or follows the one in progress, sending {@code progress} notifications until it
   * ends. A client that goes away stops following; the request still waits for the run to end (the run
   * is cancelled if its owner went, unless it was started in the background), so the daemon stays busy,
   * and keeps its model, while it writes.
   */
  @Override
  public IndexResult index(IndexParams params) throws Exception {
    IndexJobs.Attachment attachment = daemon.indexJobs().attach(params.clear(), params.background());
    IndexJobs.Job job = attachment.job();
    Object id = connection.currentRequestIdValue();
    boolean following = true;
    try {
      while (true) {
        if (following && !connection.notify(Methods.PROGRESS, job.describe(id, attachment.joined()))) {
          following = false;
          attachment.detach();
        }
        try {
          IndexResult run = job.result().get(PROGRESS_INTERVAL_MS, TimeUnit.MILLISECONDS);
          if (following) {
            connection.notify(Methods.PROGRESS, job.describe(id, attachment.joined()));
          }
          return run.withVia(IndexResult.VIA_DAEMON);
        } catch (TimeoutException e) {
          // still running: tell the client where it stands
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof IndexException || cause instanceof java.io.IOException) {
            throw new RpcException(ErrorCode.INDEX_FAILED, cause.getMessage());
          }
          throw cause instanceof Exception ex ? ex : new IllegalStateException(cause);
        }
      }
    } finally {
      if (following) {
        attachment.detach();
      }
    }
  }

  @Override
  public IndexCancelResult indexCancel(NoParams params) {
    String run = daemon.indexJobs().cancel();
    return new IndexCancelResult(run != null, run);
  }

  @Override
  public WatchStartResult watchStart(WatchParams params) throws RpcException {
    return daemon.watch().start(Duration.ofMillis(Math.round(params.debounceSeconds() * 1000)));
  }

  @Override
  public WatchStopResult watchStop(NoParams params) {
    return daemon.watch().stop();
  }

  /** Answered at once; the update runs in the background, after the debounce of a burst of notifications. */
  @Override
  public NotifyResult notifyChanges(NotifyParams params) {
    return daemon.watch().changed(params.paths());
  }

  @Override
  public ClearCacheResult clearCache(NoParams params) {
    boolean cleared = daemon.cache().clear("clear_cache requested by a client");
    if (cleared) {
      daemon.status().recordExpiry("cleared by clear_cache");
    }
    return new ClearCacheResult(cleared);
  }

  /**
   * Stops the daemon; with {@code unless_writing}, only if it is not writing the index (a client replacing
   * a daemon of another version must not cancel another client's run or watch).
   */
  @Override
  public ShutdownResult shutdown(ShutdownParams params) throws RpcException {
    if (params.unlessWriting()) {
      String writing = daemon.status().writing();
      if (writing != null) {
        LOG.info("shutdown refused: the daemon is " + writing);
        throw new RpcException(ErrorCode.WRITING, "the daemon is " + writing + "; it keeps running");
      }
    }
    // Stop runs on its own thread and first waits for requests in flight, this one included, so the
    // response below is written before the connection is closed.
    daemon.requestStop().accept("shutdown requested by a client");
    return new ShutdownResult(true);
  }
}
