package dev.cidx.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.protocol.ErrorCode;
import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.JsonLines.Frame;
import dev.cidx.protocol.Messages.HelloParams;
import dev.cidx.protocol.Messages.HelloResult;
import dev.cidx.protocol.Messages.IndexParams;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.protocol.Messages.OutputParams;
import dev.cidx.protocol.Messages.RunParams;
import dev.cidx.protocol.Methods;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.StreamingCodec;
import dev.cidx.protocol.StreamingCodec.Incoming;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One connection to a daemon. Conversations, as message counts:
 * <ul>
 *   <li>{@link #hello()}, {@link #call}: exactly one request, exactly one response (a result or an error).</li>
 *   <li>{@link #run}: exactly one request, zero or more {@code output} notifications, exactly one response.</li>
 *   <li>{@link #index}: exactly one request, zero or more {@code progress} notifications (about four a
 *       second while the run lasts), exactly one response.</li>
 * </ul>
 * One connection carries any number of conversations, one after another. A client does not start
 * daemons; {@link DaemonStarter} does, and {@link DaemonControl} wraps the common calls.
 *
 * <p>Failures: {@link DaemonUnavailableException} when the daemon cannot be reached, goes away, is
 * stopping, or does not answer in time (the connection is then unusable: close it); {@link DaemonRpcException}
 * when it answered with an error (the connection stays usable). A client never deletes a socket.
 *
 * <p>Requests are written and answers read with {@link StreamingCodec} (jackson-core only); databind
 * is touched only to turn a result into a tree or a record for {@link #call}, never by {@link #run}.
 *
 * <p>Not thread-safe: one conversation at a time per client.
 */
public final class DaemonClient implements AutoCloseable {
  /** How long a call waits for its response by default. Queries that load the cache take a few seconds. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(60);

  private final Path socket;
  private final SocketChannel channel;
  private final Selector selector;
  private final JsonLines.Decoder decoder = new JsonLines.Decoder(JsonLines.MAX_RESPONSE_BYTES);
  private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
  private long nextId = 1;
  private boolean broken;
  private boolean printed;

  private DaemonClient(Path socket, SocketChannel channel, Selector selector) {
    this.socket = socket;
    this.channel = channel;
    this.selector = selector;
  }

  /** How long {@link #connect(Path)} waits for a daemon whose accept queue is full. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** {@link #connect(Path, Duration)} with {@link #DEFAULT_CONNECT_TIMEOUT}. */
  public static DaemonClient connect(Path socket) throws DaemonUnavailableException {
    return connect(socket, DEFAULT_CONNECT_TIMEOUT);
  }

  /**
   * Connects to the daemon's socket. A missing file or a refused connection (no daemon, a stale socket,
   * a daemon stopping) fails at once. A full accept queue (Linux answers {@code EAGAIN} at once to a
   * non-blocking connect) is retried until {@code timeout}: the daemon is alive, just busy.
   *
   * @throws dev.cidx.config.UnsafePathException when the socket, its directory or the process serving it
   *     is not this user's ({@link SocketTrust}); nothing was sent, and the caller runs without the daemon
   */
  public static DaemonClient connect(Path socket, Duration timeout) throws DaemonUnavailableException {
    Objects.requireNonNull(socket, "socket");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return tryConnect(socket, deadline, timeout);
      } catch (IOException e) {
        boolean busy = !(e instanceof ConnectException) && Files.exists(socket, LinkOption.NOFOLLOW_LINKS);
        if (!busy || System.nanoTime() > deadline) {
          throw new DaemonUnavailableException("cannot connect to " + socket + ": " + describe(e), e);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
    }
  }

  private static DaemonClient tryConnect(Path socket, long deadline, Duration timeout)
      throws IOException, DaemonUnavailableException {
    SocketChannel channel = null;
    Selector selector = null;
    boolean success = false;
    try {
      SocketTrust.checkPath(socket);
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.configureBlocking(false);
      selector = Selector.open();
      if (!channel.connect(UnixDomainSocketAddress.of(socket))) {
        SelectionKey key = channel.register(selector, SelectionKey.OP_CONNECT);
        while (!channel.finishConnect()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new DaemonUnavailableException("cannot connect to " + socket + ": no accept within "
                + timeout.toMillis() + " ms");
          }
          selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          selector.selectedKeys().clear();
        }
        key.cancel();
        selector.selectNow(); // flush the cancelled key before registering again
      }
      SocketTrust.checkPeer(channel, socket); // before the first byte is sent
      channel.register(selector, SelectionKey.OP_READ);
      success = true;
      return new DaemonClient(socket, channel, selector);
    } finally {
      if (!success) {
        closeQuietly(selector);
        closeQuietly(channel);
      }
    }
  }

  public Path socket() {
    return socket;
  }

  /** The version handshake. Compare with {@link HelloResult#matchesCurrentVersion()}. */
  public HelloResult hello() throws DaemonUnavailableException, DaemonRpcException {
    return call(Methods.HELLO, HelloParams.current(), HelloResult.class, Duration.ofSeconds(10));
  }

  /** Calls {@code method} and returns its {@code result}. */
  public JsonNode call(String method, Object params) throws DaemonUnavailableException, DaemonRpcException {
    return call(method, params, DEFAULT_CALL_TIMEOUT);
  }

  /**
   * Calls {@code method} with {@code params} (a record, a map, a {@link StreamingCodec.Params} or null for
   * none) and returns its {@code result}.
   */
  public JsonNode call(String method, Object params, Duration timeout)
      throws DaemonUnavailableException, DaemonRpcException {
    return JsonLines.tree(exchange(method, JsonLines.params(params), timeout, null, null));
  }

  /** Calls {@code method} and converts its result to {@code type} (a record from {@code protocol}). */
  public <T> T call(String method, Object params, Class<T> type, Duration timeout)
      throws DaemonUnavailableException, DaemonRpcException {
    Object result = exchange(method, JsonLines.params(params), timeout, null, null);
    try {
      return JsonLines.convert(result, type);
    } catch (IllegalArgumentException e) {
      throw new DaemonUnavailableException("unexpected " + method + " result from the daemon: " + e.getMessage(), e);
    }
  }

  /** Runs a query on the daemon's cached indexes; the result says {@code via: "daemon"}. */
  public QueryResult query(QueryRequest request) throws DaemonUnavailableException, DaemonRpcException {
    return call(Methods.QUERY, request, QueryResult.class, DEFAULT_CALL_TIMEOUT);
  }

  /**
   * Runs a command line in the daemon, writing its output to {@code stdout} and {@code stderr} as it
   * arrives, and returns its exit code. Waits as long as the command runs. This is the warm {@code cidx query} path: the request and what comes back go through
   * {@link StreamingCodec} alone. A daemon of another version answers {@link ErrorCode#VERSION_MISMATCH}
   * before running anything.
   */
  public int run(RunParams params, OutputStream stdout, OutputStream stderr)
      throws DaemonUnavailableException, DaemonRpcException {
    return run(params, stdout, stderr, null);
  }

  /**
   * {@link #run(RunParams, OutputStream, OutputStream)}, giving up with {@link DaemonTimeoutException}
   * when the daemon sends nothing for {@code readTimeout} (null: no limit).
   */
  public int run(RunParams params, OutputStream stdout, OutputStream stderr, Duration readTimeout)
      throws DaemonUnavailableException, DaemonRpcException {
    Object result = exchange(Methods.RUN, params, null, readTimeout, new OutputPrinter(stdout, stderr));
    return (int) StreamingCodec.integer(result, "exit_code", 2);
  }

  /** Receives the notifications the daemon sends while it works on a request. */
  public interface Notifications {
    /** {@code params} as plain Java values (see {@link StreamingCodec#read}). */
    void received(String method, Object params);
  }

  /**
   * Indexes the repository in the daemon, or follows the run in progress there, handing each
   * {@code progress} notification to {@code progress} (its params as plain Java values, e.g. a map with
   * {@code chunks_embedded}), and returns the run's counts. Waits as long as the run lasts.
   */
  public IndexResult index(IndexParams params, Notifications progress)
      throws DaemonUnavailableException, DaemonRpcException {
    Object result = exchange(Methods.INDEX, params, null, null, progress);
    try {
      return JsonLines.convert(result, IndexResult.class);
    } catch (IllegalArgumentException e) {
      throw new DaemonUnavailableException("unexpected index result from the daemon: " + e.getMessage(), e);
    }
  }

  /** Prints {@code output} notifications. A class, not a lambda: this is the query fast path. */
  private final class OutputPrinter implements Notifications {
    private final OutputStream stdout;
    private final OutputStream stderr;

    OutputPrinter(OutputStream stdout, OutputStream stderr) {
      this.stdout = stdout;
      this.stderr = stderr;
    }

    @Override
    public void received(String method, Object params) {
      if (Methods.OUTPUT.equals(method)) {
        printed = true;
        String stream = StreamingCodec.string(params, "stream");
        String text = StreamingCodec.string(params, "text");
        print(OutputParams.STDERR.equals(stream) ? stderr : stdout, text);
      }
    }
  }

  /** True once a {@link #run} on this connection received output: running the command again would repeat it. */
  public boolean printed() {
    return printed;
  }

  /**
   * Sends one request and returns its result; notifications go to {@code notifications} when given.
   * {@code timeout} bounds the whole exchange, {@code readTimeout} each wait for the next message (either
   * may be null).
   */
  private Object exchange(String method, StreamingCodec.Params params, Duration timeout, Duration readTimeout,
      Notifications notifications) throws DaemonUnavailableException, DaemonRpcException {
    if (broken) {
      throw new DaemonUnavailableException("the connection to the daemon was lost earlier");
    }
    long id = nextId++;
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    try {
      write(StreamingCodec.request(id, method, params), deadline);
      while (true) {
        long readDeadline = readTimeout == null ? deadline
            : Math.min(deadline, System.nanoTime() + readTimeout.toNanos());
        Incoming message = readMessage(readDeadline, method);
        if (message.isNotification()) {
          if (notifications != null) {
            notifications.received(message.method(), message.params()); // unknown ones are for future versions
          }
          continue;
        }
        if (message.id() == null) {
          // An error the daemon could not tie to a request: too large, unparseable. It closes the connection.
          throw rpcError(message);
        }
        if (!message.answers(id)) {
          continue; // the answer to an earlier request that timed out
        }
        if (message.isError()) {
          throw rpcError(message);
        }
        return message.result();
      }
    } catch (DaemonUnavailableException e) {
      broken = true;
      throw e;
    } catch (IOException e) {
      broken = true;
      throw new DaemonUnavailableException("connection to the daemon lost during " + method + ": " + describe(e), e);
    }
  }

  private static void print(OutputStream target, String text) {
    if (text == null) {
      return;
    }
    try {
      target.write(text.getBytes(StandardCharsets.UTF_8));
      target.flush();
    } catch (IOException e) {
      // our own stdout is closed (e.g. `cidx query ... | head`): keep reading to the end
    }
  }

  private static DaemonRpcException rpcError(Incoming message) throws DaemonUnavailableException {
    int code = message.errorCode();
    if (code == ErrorCode.SHUTTING_DOWN.code()) {
      throw new DaemonUnavailableException("the daemon is shutting down");
    }
    return new DaemonRpcException(code, message.errorMessage());
  }

  private void write(byte[] bytes, long deadline) throws IOException, DaemonUnavailableException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    SelectionKey key = channel.keyFor(selector);
    while (buffer.hasRemaining()) {
      if (channel.write(buffer) == 0) {
        key.interestOps(SelectionKey.OP_WRITE);
        try {
          await(deadline, "sending the request");
        } finally {
          key.interestOps(SelectionKey.OP_READ);
        }
      }
    }
  }

  private Incoming readMessage(long deadline, String method) throws IOException, DaemonUnavailableException {
    while (true) {
      Frame frame = decoder.next();
      if (frame instanceof Frame.Line line) {
        if (line.bytes().length == 0) {
          continue;
        }
        try {
          return StreamingCodec.read(line.bytes());
        } catch (JsonProcessingException e) {
          throw new DaemonUnavailableException("the daemon sent a line that is not JSON: " + e.getOriginalMessage(), e);
        }
      }
      if (frame instanceof Frame.TooLarge tooLarge) {
        throw new DaemonUnavailableException("the daemon's answer to " + method + " is too large ("
            + tooLarge.bytes() + " bytes > " + JsonLines.MAX_RESPONSE_BYTES + ")");
      }
      readBuffer.clear();
      int n = channel.read(readBuffer);
      if (n < 0) {
        throw new DaemonUnavailableException("the daemon closed the connection during " + method);
      }
      if (n == 0) {
        await(deadline, "waiting for the answer to " + method);
        continue;
      }
      readBuffer.flip();
      decoder.feed(readBuffer);
    }
  }

  private void await(long deadline, String what) throws IOException, DaemonUnavailableException {
    long remaining = deadline == Long.MAX_VALUE ? 0 : deadline - System.nanoTime();
    if (deadline != Long.MAX_VALUE && remaining <= 0) {
      throw new DaemonTimeoutException("no answer from the daemon in time (" + what + ")");
    }
    // select(0) waits without a limit; otherwise at least 1 ms so that a rounding to 0 does not mean "forever"
    selector.select(deadline == Long.MAX_VALUE ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
    selector.selectedKeys().clear();
  }

  @Override
  public void close() {
    closeQuietly(selector);
    closeQuietly(channel);
  }

  static String describe(IOException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        // nothing left to release
      }
    }
  }
}
