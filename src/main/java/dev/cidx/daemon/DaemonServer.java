package dev.cidx.daemon;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.ConfigException;
import dev.cidx.config.CurrentUser;
import dev.cidx.config.DaemonSettings;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedders;
import dev.cidx.index.Indexer;
import dev.cidx.index.LuceneClasses;
import dev.cidx.protocol.ErrorCode;
import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.Version;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * A repository's daemon: holds the single-instance lock, serves the socket, caches the model and indexes,
 * and expires itself. See the package documentation for the protocol and the lifecycle as a whole.
 *
 * <pre>{@code
 * DaemonServer server = DaemonServer.builder(repo).commandRunner(runner).cacheLoader(loader).build();
 * server.start();          // or DaemonAlreadyRunningException
 * server.awaitStopped();   // until shutdown, idle expiry or stop()
 * }</pre>
 *
 * <p>The daemon is this class's lifecycle and accept loop plus the parts it builds and wires, each
 * findable by name: {@link IndexCache} (the loaded entry), {@link ModelHolder} (the model lent to index
 * runs), {@link SnapshotManager} (snapshots refreshed by commits), {@link SnapshotQueries} and
 * {@link DaemonQueries} (the query path), {@link IndexJobs} and {@link DaemonWatch} (the writer),
 * {@link ConnectionRegistry} (open connections and their reaper), {@link DaemonStatus} (what
 * {@code status} answers) and {@link DaemonServices}, the one object handed to connections and their
 * methods. Config changes fan out from here ({@link #configChanged}).
 *
 * <p>Threads: one accept thread; one pool thread per open connection (at most
 * {@code daemon.max_connections}, see {@link ConnectionRegistry#admit}); one scheduler thread for the
 * expiry check, the config poll and the idle-connection reaper; a short-lived stop thread. {@link #start()} once;
 * {@link #stop} and {@link #requestStop} from any thread, any number of times.
 */
public final class DaemonServer {
  private static final Logger LOG = Logger.getLogger(DaemonServer.class.getName());
  /** How long stop waits for requests in flight before closing their connections anyway. */
  static final Duration IN_FLIGHT_GRACE = Duration.ofSeconds(5);

  private final RepoPaths repo;
  private final Clock clock;
  private final Duration connectionIdleTimeout;
  private final Duration configPollInterval;
  private final boolean preloadCache;
  private final DaemonStateCoordinator state;
  private final IndexCache cache;
  private final IndexJobs indexJobs;
  private final DaemonWatch watch;
  private final ConnectionRegistry connections;
  private final DaemonStatus status;
  /** What connections and their methods use of the daemon. */
  private final DaemonServices services;
  private final ThreadPoolExecutor connectionPool;
  private final ScheduledThreadPoolExecutor scheduler;

  /** Set in start(); read by other threads only after start() returned. */
  private volatile ConfigWatcher config;
  private volatile DaemonLock lock;
  private volatile ServerSocketChannel serverChannel;
  private volatile EvictionTask eviction;
  private volatile Thread acceptThread;
  private boolean started; // guarded by this

  private DaemonServer(Builder b) {
    MissingClasses.load(); // now, while the jar is the one this daemon started from
    LuceneClasses.initialize(); // before the indexer and the cache touch Lucene on two threads
    this.repo = b.repo;
    this.clock = b.clock;
    this.connectionIdleTimeout = b.connectionIdleTimeout;
    this.configPollInterval = b.configPollInterval;
    this.preloadCache = b.preloadCache;
    this.state = new DaemonStateCoordinator(clock);
    this.cache = new IndexCache(b.cacheLoader, () -> Embedders.cacheName(config()), clock);
    Metrics metrics = new Metrics();
    DaemonQueries queries = new DaemonQueries(new SnapshotQueries(cache), metrics, this::settings);
    IndexJobs.Runner indexRunner = b.indexRunner != null ? b.indexRunner
        : (runConfig, scope, embedder, progress, cancelled) ->
            new Indexer(repo, runConfig, embedder).run(scope, progress, cancelled);
    this.indexJobs = new IndexJobs(indexRunner, this::config, cache, clock);
    this.watch = new DaemonWatch(repo, this::config, indexJobs, clock, b.notifyDelay);
    this.connections = new ConnectionRegistry(this::settings, b.connectionIdleTimeout);
    this.status = new DaemonStatus(repo, this::socketPath, clock, state, this::settings, metrics, cache, indexJobs,
        watch, connections::size);
    this.services = new DaemonServices(repo, this::socketPath, state, metrics, queries, b.commandRunner, indexJobs,
        watch, cache, status, this::requestStop);
    // Unbounded: the cap is daemon.max_connections, counted by ConnectionRegistry.admit(), which config.json can change live.
    this.connectionPool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        daemonThreads("cidx-connection"));
    this.scheduler = new ScheduledThreadPoolExecutor(1, daemonThreads("cidx-scheduler"));
    scheduler.setRemoveOnCancelPolicy(true);
  }

  public static Builder builder(RepoPaths repo) {
    return new Builder(repo);
  }

  /**
   * Starts serving. Returns once the socket is bound and accepting (a client's {@code ping} is answered
   * from then on).
   *
   * @throws DaemonAlreadyRunningException another daemon holds the lock: nothing was changed
   * @throws ConfigException config.json is invalid
   * @throws IOException the socket could not be bound, or {@code .code-indexer} is unsafe
   */
  public synchronized void start() throws IOException, ConfigException, DaemonAlreadyRunningException {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    CidxConfig initial = Files.exists(repo.configFile()) ? CidxConfig.load(repo.configFile()) : CidxConfig.defaults();
    config = new ConfigWatcher(repo.configFile(), initial, this::configChanged);

    // 1. Lock: take .code-indexer/daemon.lock for the daemon's lifetime. Only its holder may touch the socket.
    DaemonLock acquired = DaemonLock.tryAcquire(repo).orElse(null);
    if (acquired == null) {
      state.beginStop("another daemon is running");
      stopNow(); // releases the executors; there is no lock or socket to undo
      throw new DaemonAlreadyRunningException(repo.root().toString(), DaemonLock.holderPid(repo));
    }
    lock = acquired;
    if (preloadCache) {
      // A daemon is started for a query that is waiting: begin loading model and index now, on the
      // connection pool, beside the socket's set-up, so the query meets a loaded (or loading) cache.
      connectionPool.execute(cache::preload);
    }
    boolean success = false;
    try {
      // 2. Bind: remove a stale socket (safe: we hold the lock), bind ours with mode 0600.
      serverChannel = lock.bind();

      // 3. Accept loop: one thread accepts; each connection runs on a pool thread.
      Thread accept = new Thread(this::acceptLoop, "cidx-accept");
      accept.setDaemon(true);
      acceptThread = accept;
      accept.start();

      // 4. Eviction thread, config watch and idle-connection reaper, on one scheduler thread.
      eviction = new EvictionTask(scheduler, () -> settings().evictionCheckInterval(),
          ExpiryRules.forDaemon(state, this::settings, cache, lock, watch::busy), cache, status::recordExpiry,
          this::requestStop);
      eviction.start();
      long pollNanos = configPollInterval.toNanos();
      scheduler.scheduleWithFixedDelay(this::pollConfig, pollNanos, pollNanos, TimeUnit.NANOSECONDS);
      // At least every second: the request read and write timeouts are seconds, not the idle timeout's minutes.
      long reapNanos = Math.min(Duration.ofSeconds(1).toNanos(),
          Math.max(Duration.ofMillis(100).toNanos(), connectionIdleTimeout.toNanos() / 4));
      scheduler.scheduleWithFixedDelay(connections::closeIdle, reapNanos, reapNanos, TimeUnit.NANOSECONDS);

      // 5. Ready.
      state.ready();
      DaemonSettings s = settings();
      LOG.info("daemon started: pid " + ProcessHandle.current().pid() + ", cidx " + Version.CIDX + ", protocol "
          + Version.PROTOCOL + ", repo " + repo.root() + ", socket " + lock.socketPath() + ", ttl_minutes "
          + s.ttlMinutes() + ", auto_shutdown_on_idle " + s.autoShutdownOnIdle()
          + ProcessHandle.current().info().startInstant() // the JVM's own start-up, for cold-start breakdowns
              .map(t -> ", serving " + java.time.Duration.between(t, java.time.Instant.now()).toMillis()
                  + " ms after the process started")
              .orElse(""));
      success = true;
    } finally {
      if (!success) {
        state.beginStop("start failed");
        stopNow();
      }
    }
  }

  /** Stops gracefully (see {@link #requestStop}) and waits until stopped. */
  public void stop(String reason) {
    requestStop(reason);
    try {
      state.awaitStopped();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts a graceful stop on its own thread and returns at once; the first reason given is kept. */
  public void requestStop(String reason) {
    if (!state.beginStop(reason)) {
      return;
    }
    Thread t = new Thread(this::stopNow, "cidx-stop");
    t.setDaemon(false); // the JVM must not exit half-way through removing the socket and releasing the lock
    t.start();
  }

  /** Stop, after state STOPPING was set: undoes start in an order chosen so no request meets a half-closed daemon. */
  private void stopNow() {
    String reason = "unknown";
    try {
      reason = state.snapshot().stopReason();
      // 1. Stop accepting: close the listening channel (the socket file stays until step 6).
      closeQuietly(serverChannel);
      Thread accept = acceptThread;
      if (accept != null) {
        accept.interrupt();
      }
      // 2. Let requests in flight finish, for at most IN_FLIGHT_GRACE. New ones are refused (SHUTTING_DOWN).
      if (!state.awaitNoRequests(IN_FLIGHT_GRACE)) {
        LOG.warning("requests still running after " + IN_FLIGHT_GRACE.toSeconds() + " s; closing their connections");
      }
      // 3. Close every connection: idle ones wait in read, cut ones lose a client that is gone anyway.
      connections.closeAll();
      connectionPool.shutdownNow();
      // 4. Stop the expiry check, config poll and reaper; stop watching; cancel an index run no client
      //    follows any more (its clients' connections were just closed) and a background update: both
      //    roll back.
      watch.close();
      indexJobs.close();
      EvictionTask e = eviction;
      if (e != null) {
        e.cancel();
      }
      scheduler.shutdownNow();
      // 5. Drop the cache: close the model's native session and the index readers. A query stuck past
      //    the grace period keeps its read lock, an index run rolling back keeps its model; then the
      //    cache is left to the process's exit.
      cache.close(IN_FLIGHT_GRACE);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error ex) {
      MissingClasses.exitIfCause(ex);
      LOG.log(Level.SEVERE, "error while stopping; still removing the socket and releasing the lock", ex);
    } finally {
      try {
        // 6. Remove the socket (only if it is still ours) and release the lock, in that order: once the
        //    lock is free a new daemon may bind, and it must not find our socket in its way.
        DaemonLock l = lock;
        if (l != null) {
          l.close();
        }
        // 7. Stopped. Logged first: once STOPPED, a shutdown hook waiting for it returns and the JVM halts.
        if (l != null) {
          LOG.info("daemon stopped: " + reason);
        }
        state.stopped();
      } catch (Throwable t) {
        // A daemon that cannot finish stopping must not stay up holding the lock, answering nothing:
        // this happens when its jar was replaced under it (an upgrade or rebuild), and every class not
        // yet loaded fails. Exiting releases the lock; the next daemon removes the stale socket.
        LOG.log(Level.SEVERE, "cannot finish stopping; exiting now", t);
        Runtime.getRuntime().halt(3);
      }
    }
  }

  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return state.awaitStopped(timeout);
  }

  public void awaitStopped() throws InterruptedException {
    state.awaitStopped();
  }

  /** Why the daemon stopped (or is stopping); null while it runs. */
  public String stopReason() {
    return state.snapshot().stopReason();
  }

  public Path socketPath() {
    DaemonLock l = lock;
    return l != null ? l.socketPath() : repo.socketPath();
  }

  public RepoPaths repo() {
    return repo;
  }

  private void acceptLoop() {
    ServerSocketChannel server = serverChannel;
    while (server.isOpen()) {
      SocketChannel channel;
      try {
        channel = server.accept();
      } catch (ClosedChannelException e) {
        return; // stop closed it
      } catch (IOException e) {
        if (!server.isOpen()) {
          return;
        }
        // e.g. out of file descriptors: back off instead of spinning on the error
        LOG.warning("accept failed: " + e);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        continue;
      }
      if (!fromThisUser(channel)) {
        continue;
      }
      if (!connections.admit()) {
        int max = settings().maxConnections();
        LOG.warning("refused a connection: " + max + " connections are open, each with a request in flight");
        refuse(channel, ErrorCode.TOO_MANY_CONNECTIONS, "the daemon is serving its maximum of " + max
            + " connections, all busy; retry later or raise daemon.max_connections");
        continue;
      }
      Connection c = connections.open(services, channel);
      DaemonStateCoordinator.State s = state.state();
      if (s == DaemonStateCoordinator.State.STOPPING || s == DaemonStateCoordinator.State.STOPPED) {
        c.close(); // accepted just as stop began, after it closed the others
        connections.remove(c);
        continue;
      }
      try {
        connectionPool.execute(c);
      } catch (RejectedExecutionException e) {
        refuse(channel, ErrorCode.SHUTTING_DOWN, "the daemon is shutting down; start a new one and retry");
        connections.remove(c);
      }
    }
  }

  /**
   * The daemon's half of the client's socket rules ({@code client.SocketTrust}, rule 3): a connection from
   * a process of another user is closed before a byte is read or written. The socket is 0600 in the
   * user's own directory, so only a loosened mode or another root process gets this far; either way it
   * must not run commands as this user or read the user's index.
   */
  private static boolean fromThisUser(SocketChannel channel) {
    String who;
    try {
      UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
      if (CurrentUser.principal().equals(peer.user())) { // the JDK's Unix principals compare by uid
        return true;
      }
      who = peer.user().getName();
    } catch (IOException | RuntimeException e) {
      who = "a peer whose credentials cannot be read (" + e + ")";
    }
    LOG.warning("closed a connection from " + who + ": this daemon serves only its own user");
    try {
      channel.close();
    } catch (IOException e) {
      // closing is all we wanted
    }
    return false;
  }

  /** Sends the one error line a refused client reads, and closes; never blocks on a client that does not read. */
  private static void refuse(SocketChannel channel, ErrorCode code, String message) {
    try (channel) {
      channel.configureBlocking(false); // one small line fits the socket buffer; if not, the client is not reading
      channel.write(ByteBuffer.wrap(JsonLines.encode(JsonLines.error(null, code, message))));
    } catch (IOException e) {
      // the client is gone already
    }
  }

  private void pollConfig() {
    try {
      config.poll();
    } catch (Throwable t) {
      // A scheduled task that throws is never run again: log and carry on.
      LOG.log(Level.SEVERE, "config poll failed", t);
    }
  }

  private void configChanged(CidxConfig old, CidxConfig next) {
    if (!old.embeddingModel().equals(next.embeddingModel()) || !old.embedding().equals(next.embedding())) {
      // A run in progress keeps the model it began with (IndexJobs); this waits until it gives it back.
      // Any change to the embedding block (a URL, a timeout, a key's variable) reopens the embedder.
      cache.clear("embedding changed to " + Embedders.cacheName(next));
    }
    if (!old.fileExtensions().equals(next.fileExtensions()) || !old.excludeDirs().equals(next.excludeDirs())
        || !Objects.equals(old.maxFileSize(), next.maxFileSize())) {
      watch.configChanged();
    }
    if (!old.daemon().evictionCheckInterval().equals(next.daemon().evictionCheckInterval())) {
      EvictionTask e = eviction;
      if (e != null) {
        e.reschedule();
      }
    }
  }

  CidxConfig config() {
    return config.current();
  }

  DaemonSettings settings() {
    return config.current().daemon();
  }

  DaemonStateCoordinator state() {
    return state;
  }

  DaemonWatch watch() {
    return watch;
  }

  /** Runs the expiry check now, on the calling thread (tests advance a fake clock, then call this). */
  void checkExpiryNow() {
    eviction.checkNow();
  }

  int openConnections() {
    return connections.size();
  }

  private static void closeQuietly(ServerSocketChannel c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Options of a {@link DaemonServer}; only the repository is required. */
  public static final class Builder {
    private final RepoPaths repo;
    private CommandRunner commandRunner;
    private CacheLoader cacheLoader;
    private IndexJobs.Runner indexRunner;
    private Clock clock = Clock.systemUTC();
    private Duration connectionIdleTimeout = Duration.ofMinutes(10);
    private Duration configPollInterval = Duration.ofSeconds(1);
    private boolean preloadCache;
    private Duration notifyDelay = DaemonWatch.NOTIFY_DELAY;

    private Builder(RepoPaths repo) {
      this.repo = Objects.requireNonNull(repo, "repo");
    }

    /** Runs forwarded command lines ({@code run}); without one, {@code run} is answered "method not found". */
    public Builder commandRunner(CommandRunner runner) {
      this.commandRunner = Objects.requireNonNull(runner, "runner");
      return this;
    }

    /** Loads the model and the index; without one, queries fail with an internal error. */
    public Builder cacheLoader(CacheLoader loader) {
      this.cacheLoader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /** Runs the indexer for {@code index}; without one, the real {@link Indexer} on the repository. */
    Builder indexRunner(IndexJobs.Runner runner) {
      this.indexRunner = Objects.requireNonNull(runner, "runner");
      return this;
    }

    /** How long a {@code notify} waits for more before its update; tests hold paths pending with a long one. */
    Builder notifyDelay(Duration delay) {
      this.notifyDelay = Objects.requireNonNull(delay, "delay");
      return this;
    }

    /** The clock idle time is measured with; tests pass one they can advance. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Load the model and index as soon as the daemon is ready, not on the first query. */
    public Builder preloadCache(boolean on) {
      this.preloadCache = on;
      return this;
    }

    /** A connection silent this long, with no request in flight, is closed. */
    public Builder connectionIdleTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("connectionIdleTimeout (" + timeout + ") must be positive");
      }
      this.connectionIdleTimeout = timeout;
      return this;
    }

    /** How often config.json is checked for changes. */
    public Builder configPollInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("configPollInterval (" + interval + ") must be positive");
      }
      this.configPollInterval = interval;
      return this;
    }

    public DaemonServer build() {
      if (cacheLoader == null) {
        cacheLoader = new CacheLoader() {
          @Override
          public Model loadModel(String modelName) {
            throw new IllegalStateException("this daemon was built without a cache loader");
          }

          @Override
          public Index openIndex() throws IOException {
            throw new IOException("this daemon was built without a cache loader");
          }

          @Override
          public dev.cidx.search.QueryService searcher(Model model, Index index) {
            throw new IllegalStateException("this daemon was built without a cache loader");
          }
        };
      }
      return new DaemonServer(this);
    }
  }
}
