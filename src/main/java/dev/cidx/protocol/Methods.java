package dev.cidx.protocol;

/**
 * The names of the daemon's JSON-RPC methods and of the one notification it sends. Parameters and
 * results are the records in {@link Messages}; each method is one request and exactly one response,
 * except {@link #RUN}, which may be preceded by any number of {@link #OUTPUT} notifications.
 */
public final class Methods {
  /** {@link Messages.HelloParams} → {@link Messages.HelloResult}: the version handshake. */
  public static final String HELLO = "hello";
  /** {@code {}} → {@link Messages.PingResult}: "ready" means ping answers. */
  public static final String PING = "ping";
  /** {@code {}} → {@link Messages.StatusResult}. */
  public static final String STATUS = "status";
  /** {@link QueryRequest} → {@link QueryResult}, answered from the daemon's cached indexes. */
  public static final String QUERY = "query";
  /** {@link Messages.RunParams} → {@link Messages.RunResult}, with {@link #OUTPUT} notifications while it runs. */
  public static final String RUN = "run";
  /**
   * {@link Messages.IndexParams} → {@link Messages.IndexResult}, with {@link #PROGRESS} notifications while it
   * runs: brings the index up to date inside the daemon, or follows the run already in progress.
   */
  public static final String INDEX = "index";
  /**
   * {@code {}} → {@link Messages.IndexCancelResult}: cancels the index run in progress, whoever started it
   * (its clients are answered with its cancellation; what it committed and embedded stays).
   */
  public static final String INDEX_CANCEL = "index_cancel";
  /**
   * {@link Messages.WatchParams} → {@link Messages.WatchStartResult}: the daemon watches the repository and
   * keeps the index fresh (after bringing it up to date once) until {@link #WATCH_STOP} or it stops.
   */
  public static final String WATCH_START = "watch_start";
  /** {@code {}} → {@link Messages.WatchStopResult}. */
  public static final String WATCH_STOP = "watch_stop";
  /**
   * {@link Messages.NotifyParams} → {@link Messages.NotifyResult}, answered at once: the paths are indexed
   * in the background. Also accepted as a JSON-RPC notification (no {@code id}, no response).
   */
  public static final String NOTIFY = "notify";
  /** {@code {}} → {@link Messages.ClearCacheResult}: drops the cached model and indexes. */
  public static final String CLEAR_CACHE = "clear_cache";
  /** {@code {}} → {@link Messages.ShutdownResult}; then the daemon stops gracefully. */
  public static final String SHUTDOWN = "shutdown";
  /** Daemon → client notification, {@link Messages.OutputParams}: text a running command printed. */
  public static final String OUTPUT = "output";
  /** Daemon → client notification, {@link Messages.IndexProgressParams}: where an index run stands. */
  public static final String PROGRESS = "progress";

  private Methods() {}
}
