package dev.cidx.client;

import dev.cidx.config.DaemonSettings;
import dev.cidx.config.PrivateFiles;
import dev.cidx.config.CidxConfig;
import dev.cidx.config.ConfigException;
import dev.cidx.config.EmbeddingSettings;
import dev.cidx.config.RepoPaths;
import dev.cidx.config.UnsafePathException;
import dev.cidx.protocol.ErrorCode;
import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.Messages.HelloResult;
import dev.cidx.protocol.Messages.IndexProgressParams;
import dev.cidx.protocol.Messages.RunParams;
import dev.cidx.protocol.Messages.ShutdownParams;
import dev.cidx.protocol.Messages.StatusResult;
import dev.cidx.protocol.Messages.WatchStatus;
import dev.cidx.protocol.Methods;
import dev.cidx.protocol.Version;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * Connects to a repository's daemon, starting one if there is none, and makes sure it runs this cidx
 * version. {@link #run} first tries a running daemon with one request (the daemon checks the version
 * itself); when that does not answer, and for {@link #connect()}, the bounded retry loop of the client side:
 * <ol>
 *   <li>Connect and {@code hello}. A matching daemon: done.</li>
 *   <li>A daemon of another version: unless it is writing the index (its {@code status}, then a
 *       {@code shutdown} with {@code unless_writing}), ask it to {@code shutdown}, wait (at most
 *       {@link #OLD_DAEMON_STOP_TIMEOUT}) until its socket is gone, then go on as if there were none. One
 *       that writes is left running: {@link DaemonWritingException}, and the caller waits for its run or
 *       works standalone.</li>
 *   <li>No daemon (or one stopping): take the spawn lock ({@code .code-indexer/daemon.spawn.lock}, an
 *       {@code flock}, plus an in-process lock), so that of many clients starting at once exactly one
 *       spawns; connect again (another client may have started one meanwhile); else spawn the daemon
 *       detached and wait until {@code ping} answers, pausing {@code retry_delays_ms} between attempts
 *       (waking early to try when the socket file appears).</li>
 *   <li>If the spawned process exits with an error, fail with the end of daemon.log. If it exits with 0,
 *       it found another daemon holding the lock (say, one still stopping): keep waiting, and spawn again
 *       (at most {@link #MAX_SPAWNS} times) if nobody answers.</li>
 *   <li>Give up after {@link #startupTimeout}: {@link DaemonUnavailableException}, and the caller runs
 *       standalone.</li>
 * </ol>
 * The starter never deletes a socket; only the daemon holding the lock may.
 *
 * <p>The daemon's command line comes from the caller ({@code java -cp ... dev.cidx.cli.DaemonMain
 * --repo ROOT}); this package does not know the CLI.
 */
public final class DaemonStarter {
  /** How long to wait for a daemon of another version to go away after asking it to shut down. */
  public static final Duration OLD_DAEMON_STOP_TIMEOUT = Duration.ofSeconds(10);
  /** The most daemon processes one {@link #connect()} spawns. */
  public static final int MAX_SPAWNS = 3;
  private static final int LOG_TAIL_LINES = 20;
  /** In-process half of the spawn lock: a JVM cannot hold two flocks on one file. */
  private static final Map<Path, ReentrantLock> SPAWN_LOCKS = new ConcurrentHashMap<>();

  /** Starts the daemon process; the real one runs {@code daemonCommand}, tests start one in-process. */
  interface Spawner {
    Process spawn() throws IOException;
  }

  private final RepoPaths repo;
  private final DaemonSettings settings;
  private final List<String> daemonCommand;
  /** Null for the real process ({@link #spawnProcess}); not a method reference, which costs the fast path. */
  private final Spawner spawner;
  private Duration startupTimeout = Duration.ofSeconds(20);

  /**
   * @param daemonCommand the daemon's command line, e.g. {@code [/usr/bin/java, -cp, CP,
   *     dev.cidx.cli.DaemonMain, --repo, ROOT]}
   */
  public DaemonStarter(RepoPaths repo, DaemonSettings settings, List<String> daemonCommand) {
    this(repo, settings, daemonCommand, null);
    if (daemonCommand.isEmpty()) {
      throw new IllegalArgumentException("daemonCommand must not be empty");
    }
  }

  DaemonStarter(RepoPaths repo, DaemonSettings settings, List<String> daemonCommand, Spawner spawner) {
    this.repo = Objects.requireNonNull(repo, "repo");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.daemonCommand = List.copyOf(daemonCommand);
    this.spawner = spawner;
  }

  /** The longest a start waits for the new daemon to answer (JVM start on a busy machine). */
  public DaemonStarter startupTimeout(Duration timeout) {
    this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /** A connection to a daemon of this cidx version, started if needed. The caller closes it. */
  public DaemonClient connect() throws DaemonUnavailableException {
    Path socket = socketPath();
    try {
      DaemonClient client = DaemonClient.connect(socket);
      HelloResult hello = helloOrClose(client);
      if (hello.matchesCurrentVersion()) {
        return client;
      }
      replaceOldDaemon(client, hello);
    } catch (DaemonWritingException e) {
      throw e; // left running: neither replaced nor joined
    } catch (DaemonUnavailableException e) {
      // no daemon, a stale socket or one stopping: start one below
    }
    DaemonClient client = startAndConnect();
    HelloResult hello = helloOrClose(client);
    if (!hello.matchesCurrentVersion()) {
      client.close();
      throw new DaemonUnavailableException("the daemon started for " + repo.root() + " runs cidx "
          + hello.cidxVersion() + " (protocol " + hello.protocolVersion() + "), this is " + Version.CIDX
          + " (protocol " + Version.PROTOCOL + ")");
    }
    return client;
  }

  /**
   * Runs a forwarded command line in the repository's daemon. The warm path is one connection and one
   * {@code run} request, which carries this client's version instead of a {@code hello} before it. When
   * that fails before anything was printed (no daemon, a stale socket, a daemon stopping or of another
   * version), it goes the long way once: {@link #connect()}, which starts or replaces the daemon, and
   * {@code run} again.
   */
  public int run(RunParams params, OutputStream stdout, OutputStream stderr)
      throws DaemonUnavailableException, DaemonRpcException {
    DaemonClient fast = null;
    try {
      fast = DaemonClient.connect(socketPath());
    } catch (DaemonUnavailableException e) {
      // no daemon or a stale socket: start one below
    }
    if (fast != null) {
      try (DaemonClient client = fast) {
        return client.run(params, stdout, stderr, settings.clientQueryTimeout());
      } catch (DaemonRpcException e) {
        if (e.code() != ErrorCode.VERSION_MISMATCH.code()) {
          throw e;
        }
      } catch (DaemonTimeoutException e) {
        throw e; // a daemon that took the request and hangs: another would take it and hang too
      } catch (DaemonUnavailableException e) {
        if (fast.printed()) {
          throw e; // running it again would print it twice
        }
      }
    }
    try (DaemonClient client = connect()) {
      return client.run(params, stdout, stderr, settings.clientQueryTimeout());
    }
  }

  private static HelloResult helloOrClose(DaemonClient client) throws DaemonUnavailableException {
    boolean success = false;
    try {
      HelloResult hello = client.hello();
      success = true;
      return hello;
    } catch (DaemonRpcException e) {
      throw new DaemonUnavailableException("the daemon rejected the handshake: " + e.getMessage(), e);
    } finally {
      if (!success) {
        client.close();
      }
    }
  }

  /**
   * Asks a daemon of another version to stop and waits until its socket is gone; unless it is writing the
   * index, which another client started: stopping it would cancel that run or watch. It is asked first
   * ({@code status}), and the {@code shutdown} carries {@code unless_writing}, so a daemon of this version
   * refuses if a run began in between. A daemon from before {@code unless_writing} ignores it: for one, the
   * status just before is the only check.
   *
   * @throws DaemonWritingException the daemon writes the index and is left running
   */
  private void replaceOldDaemon(DaemonClient client, HelloResult hello) throws DaemonUnavailableException {
    try (client) {
      refuseIfWriting(client, hello);
      client.call(Methods.SHUTDOWN, new ShutdownParams(true), Duration.ofSeconds(5));
    } catch (DaemonRpcException e) {
      if (e.code() == ErrorCode.WRITING.code()) {
        throw new DaemonWritingException(describe(hello) + ": " + e.getMessage(), hello.pid(), false);
      }
      // it may be stopping already; wait for the socket either way
    } catch (DaemonWritingException e) {
      throw e;
    } catch (DaemonUnavailableException e) {
      // it may be stopping already; wait for the socket either way
    }
    if (!awaitSocketGone(socketPath(), OLD_DAEMON_STOP_TIMEOUT)) {
      throw new DaemonUnavailableException("the daemon (pid " + hello.pid() + ") of cidx " + hello.cidxVersion()
          + " did not stop within " + OLD_DAEMON_STOP_TIMEOUT.toSeconds() + " s; stop it with `cidx daemon stop`");
    }
  }

  /**
   * Throws if the daemon's status shows it writing; a status it cannot give (an older daemon) shows nothing.
   * The status binds to this version's {@link StatusResult}, ignoring what it does not know, so a field
   * another version lacks reads as absent (not writing) and a renamed field here fails to compile.
   */
  private static void refuseIfWriting(DaemonClient client, HelloResult hello) throws DaemonUnavailableException {
    StatusResult status;
    try {
      status = JsonLines.convert(client.call(Methods.STATUS, null, Duration.ofSeconds(5)), StatusResult.class);
    } catch (DaemonRpcException | IllegalArgumentException e) {
      return; // no status, or one this version cannot read: the shutdown's unless_writing is the check left
    }
    IndexProgressParams indexing = status.indexing();
    if (indexing != null) {
      throw new DaemonWritingException(describe(hello) + " is indexing since "
          + localTime(Objects.toString(indexing.startedAt(), "")) + ", " + indexing.chunksEmbedded() + "/"
          + indexing.chunksToEmbed() + " chunks embedded; it is left to finish", hello.pid(), true);
    }
    // Pending paths are not looked at here: the status cannot tell new ones from retries of an update that
    // keeps failing, which must not pin an old daemon for ever; the daemon itself refuses unless_writing.
    WatchStatus watch = status.watch();
    if (watch != null && watch.active()) {
      throw new DaemonWritingException(describe(hello) + " is watching this repository; it is left running",
          hello.pid(), false);
    }
    if (watch != null && watch.updating()) {
      throw new DaemonWritingException(describe(hello) + " is indexing changes it was told of; it is left running",
          hello.pid(), false);
    }
  }

  private static String describe(HelloResult hello) {
    return "the daemon of cidx " + hello.cidxVersion() + " (pid " + hello.pid() + ")";
  }

  /** An ISO instant as local HH:mm:ss, or as given when it is not one. */
  static String localTime(String isoInstant) {
    try {
      return java.time.LocalTime.ofInstant(java.time.Instant.parse(isoInstant), java.time.ZoneId.systemDefault())
          .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    } catch (java.time.format.DateTimeParseException e) {
      return isoInstant;
    }
  }

  /** Waits until the socket file no longer exists; false if it is still there after the timeout. */
  static boolean awaitSocketGone(Path socket, Duration timeout) {
    return awaitSocketGone(socket, 0, timeout);
  }

  /**
   * Waits until the socket file no longer exists or, when {@code pid} is another process's (not 0, not
   * this JVM's, as for a daemon inside a test), until that process has exited: a daemon cannot remove its
   * socket from a read-only directory, and the next daemon replaces a stale one. False on timeout.
   */
  static boolean awaitSocketGone(Path socket, long pid, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean watchProcess = pid > 0 && pid != ProcessHandle.current().pid();
    while (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      if (watchProcess && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      pause(Duration.ofMillis(20));
    }
    return true;
  }

  /**
   * The repository's socket path. A fallback socket directory that cannot be used safely (a link, another
   * user's, open to others) means no daemon for this repository: the caller runs standalone and says why.
   * A {@code .code-indexer} that is a link is refused outright ({@link UnsafePathException}, exit 2): the
   * daemon would write its lock and log through it, and so would the standalone run.
   */
  private Path socketPath() throws DaemonUnavailableException {
    PrivateFiles.refuseLink(repo.dataDir());
    try {
      return repo.socketPath();
    } catch (UnsafePathException | UncheckedIOException e) {
      throw new DaemonUnavailableException(e.getMessage(), e);
    }
  }

  private DaemonClient startAndConnect() throws DaemonUnavailableException {
    Path socket = socketPath();
    long deadline = System.nanoTime() + startupTimeout.toNanos();
    ReentrantLock local = SPAWN_LOCKS.computeIfAbsent(repo.root(), k -> new ReentrantLock());
    try {
      if (!local.tryLock(startupTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new DaemonUnavailableException("timed out waiting for another thread starting the daemon");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DaemonUnavailableException("interrupted while waiting to start the daemon", e);
    }
    try (FileChannel lockChannel = openSpawnLock()) {
      FileLock spawnLock = acquire(lockChannel, deadline);
      try {
        // Another client may have started a daemon while we waited for the spawn lock.
        DaemonClient existing = tryConnectAndPing(socket);
        if (existing != null) {
          return existing;
        }
        return spawnAndAwait(socket, deadline);
      } finally {
        spawnLock.release();
      }
    } catch (IOException e) {
      throw new DaemonUnavailableException("cannot start the daemon: " + DaemonClient.describe(e), e);
    } finally {
      local.unlock();
    }
  }

  /**
   * {@code .code-indexer/daemon.spawn.lock}, after checking {@code .code-indexer} itself: this is where a
   * query first writes to a repository, so a planted link is refused here ({@link UnsafePathException},
   * unchecked, reaches the CLI) before any daemon is spawned.
   */
  private FileChannel openSpawnLock() throws IOException {
    PrivateFiles.directory(repo.dataDir());
    return PrivateFiles.open(repo.dataDir().resolve("daemon.spawn.lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
  }

  private static FileLock acquire(FileChannel channel, long deadline) throws IOException, DaemonUnavailableException {
    while (true) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by another DaemonStarter in this JVM using a different repo path spelling
      }
      if (lock != null) {
        return lock;
      }
      if (System.nanoTime() > deadline) {
        throw new DaemonUnavailableException("timed out waiting for another process starting the daemon");
      }
      pause(Duration.ofMillis(20));
    }
  }

  private DaemonClient spawnAndAwait(Path socket, long deadline) throws IOException, DaemonUnavailableException {
    Process process = spawn();
    int spawns = 1;
    List<Integer> delays = settings.retryDelaysMs().isEmpty() ? List.of(100) : settings.retryDelaysMs();
    int attempt = 0;
    while (true) {
      int delay = delays.get(Math.min(attempt, delays.size() - 1));
      attempt++;
      boolean socketWasThere = Files.exists(socket, LinkOption.NOFOLLOW_LINKS);
      waitForSocketOrTimeout(socket, Duration.ofMillis(delay), socketWasThere, process);
      DaemonClient client = tryConnectAndPing(socket);
      if (client != null) {
        return client;
      }
      if (!process.isAlive()) {
        int exit = process.exitValue();
        if (exit != 0) {
          throw new DaemonUnavailableException("the daemon exited with status " + exit + " while starting; "
              + "end of " + repo.logFile() + ":\n" + tail(repo.logFile(), LOG_TAIL_LINES));
        }
        // Status 0: it found another daemon holding the lock (one stopping, or started by someone else).
        if (spawns < MAX_SPAWNS && !Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
          process = spawn();
          spawns++;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new DaemonUnavailableException("the daemon did not answer within " + seconds(startupTimeout)
            + " of starting; end of " + repo.logFile() + ":\n" + tail(repo.logFile(), LOG_TAIL_LINES));
      }
    }
  }

  /**
   * Waits up to {@code delay}; returns early when the socket file appears (it was absent before) or the
   * process exits. Readiness is still decided by {@code ping}: a bound socket is not yet a serving daemon.
   */
  private static void waitForSocketOrTimeout(Path socket, Duration delay, boolean socketWasThere, Process process) {
    long end = System.nanoTime() + delay.toNanos();
    while (System.nanoTime() < end) {
      if (!socketWasThere && Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      if (!process.isAlive()) {
        return;
      }
      pause(Duration.ofMillis(Math.min(10, Math.max(1, (end - System.nanoTime()) / 1_000_000))));
    }
  }

  private Process spawn() throws IOException {
    return spawner != null ? spawner.spawn() : spawnProcess();
  }

  /** A connection whose ping was answered, or null. */
  private static DaemonClient tryConnectAndPing(Path socket) {
    DaemonClient client;
    try {
      client = DaemonClient.connect(socket);
    } catch (DaemonUnavailableException e) {
      return null;
    }
    try {
      client.call(Methods.PING, null, Duration.ofSeconds(5));
      return client;
    } catch (DaemonUnavailableException | DaemonRpcException e) {
      client.close();
      return null;
    }
  }

  /**
   * Starts the daemon detached from this terminal: in a new session ({@code setsid}, when installed) so
   * the terminal's Ctrl-C and hang-up do not reach it, stdin from /dev/null, stdout and stderr appended
   * to daemon.log, with the minimal environment of {@link DaemonEnvironment}. A process started by the JVM
   * is never a process-group leader, so {@code setsid} makes the new session in place instead of
   * forking, and the returned {@link Process} is the daemon.
   */
  private Process spawnProcess() throws IOException {
    List<String> command = new ArrayList<>();
    setsid().ifPresent(command::add);
    command.addAll(daemonCommand);
    // The daemon would refuse a planted daemon.lock link only after its JVM started; refuse it now.
    PrivateFiles.refuseLink(repo.lockFile());
    // ProcessBuilder opens the log itself and follows links: create and check it without following
    // first. Nobody can swap it in between, as .code-indexer is ours and 0700 (openSpawnLock).
    PrivateFiles.open(repo.logFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
        .close();
    File log = repo.logFile().toFile();
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(repo.root().toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
        .redirectError(ProcessBuilder.Redirect.appendTo(log));
    Map<String, String> env = DaemonEnvironment.of(pb.environment(), embeddingKeyVariable());
    pb.environment().clear();
    pb.environment().putAll(env);
    return pb.start();
  }

  /**
   * The variable holding the embedding provider's API key, as the repository's config.json names it; none
   * for the local model, or when the file cannot be read (the daemon reports a bad file itself).
   */
  private Set<String> embeddingKeyVariable() {
    try {
      if (!Files.exists(repo.configFile())) {
        return Set.of();
      }
      EmbeddingSettings embedding = CidxConfig.load(repo.configFile()).embedding();
      return embedding.isLocal() || embedding.keyVariable().isEmpty() ? Set.of() : Set.of(embedding.keyVariable());
    } catch (ConfigException | RuntimeException e) {
      return Set.of();
    }
  }

  private static java.util.Optional<String> setsid() {
    for (String candidate : List.of("/usr/bin/setsid", "/bin/setsid", "/usr/local/bin/setsid")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return java.util.Optional.of(candidate);
      }
    }
    return java.util.Optional.empty();
  }

  /** The last {@code lines} lines of a text file (reading at most its last 64 KiB), or a note why not. */
  static String tail(Path file, int lines) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long length = f.length();
      int n = (int) Math.min(length, 64 * 1024);
      byte[] bytes = new byte[n];
      f.seek(length - n);
      f.readFully(bytes);
      String[] all = new String(bytes, StandardCharsets.UTF_8).split("\n");
      return Arrays.stream(all, Math.max(0, all.length - lines), all.length)
          .map(l -> "  " + l).collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "  (cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(Math.max(1, d.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
