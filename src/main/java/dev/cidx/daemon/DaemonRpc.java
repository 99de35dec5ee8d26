package dev.cidx.daemon;

import com.googlecode.jsonrpc4j.JsonRpcMethod;
import dev.cidx.protocol.Messages.ClearCacheResult;
import dev.cidx.protocol.Messages.HelloParams;
import dev.cidx.protocol.Messages.HelloResult;
import dev.cidx.protocol.Messages.IndexCancelResult;
import dev.cidx.protocol.Messages.IndexParams;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.protocol.Messages.NoParams;
import dev.cidx.protocol.Messages.NotifyParams;
import dev.cidx.protocol.Messages.NotifyResult;
import dev.cidx.protocol.Messages.PingResult;
import dev.cidx.protocol.Messages.RunParams;
import dev.cidx.protocol.Messages.RunResult;
import dev.cidx.protocol.Messages.ShutdownParams;
import dev.cidx.protocol.Messages.ShutdownResult;
import dev.cidx.protocol.Messages.StatusResult;
import dev.cidx.protocol.Messages.WatchParams;
import dev.cidx.protocol.Messages.WatchStartResult;
import dev.cidx.protocol.Messages.WatchStopResult;
import dev.cidx.protocol.Methods;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.search.SearchException;

/**
 * The daemon's methods as Java, for jsonrpc4j's dispatch. Each takes the request's {@code params} object
 * as one record (the connection wraps it as a one-element positional array before dispatch), so a
 * method's parameters are validated by its record's constructor. Public only because jsonrpc4j invokes
 * these methods reflectively from its own package.
 */
public interface DaemonRpc {
  @JsonRpcMethod(Methods.HELLO)
  HelloResult hello(HelloParams params);

  @JsonRpcMethod(Methods.PING)
  PingResult ping(NoParams params);

  @JsonRpcMethod(Methods.STATUS)
  StatusResult status(NoParams params);

  @JsonRpcMethod(Methods.QUERY)
  QueryResult query(QueryRequest params) throws SearchException;

  @JsonRpcMethod(Methods.RUN)
  RunResult run(RunParams params) throws Exception;

  @JsonRpcMethod(Methods.INDEX)
  IndexResult index(IndexParams params) throws Exception;

  @JsonRpcMethod(Methods.INDEX_CANCEL)
  IndexCancelResult indexCancel(NoParams params);

  @JsonRpcMethod(Methods.WATCH_START)
  WatchStartResult watchStart(WatchParams params) throws RpcException;

  @JsonRpcMethod(Methods.WATCH_STOP)
  WatchStopResult watchStop(NoParams params);

  @JsonRpcMethod(Methods.NOTIFY)
  NotifyResult notifyChanges(NotifyParams params);

  @JsonRpcMethod(Methods.CLEAR_CACHE)
  ClearCacheResult clearCache(NoParams params);

  @JsonRpcMethod(Methods.SHUTDOWN)
  ShutdownResult shutdown(ShutdownParams params) throws RpcException;
}
