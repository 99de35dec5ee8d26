package dev.cidx.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cidx.protocol.ErrorCode;
import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.JsonLines.Frame;
import dev.cidx.protocol.Messages.OutputParams;
import dev.cidx.protocol.Methods;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection: reads request lines, dispatches them one after another and writes each
 * response, on one thread of the server's pool.
 *
 * <p>A client may send many requests on one connection, and may send the next before the previous is
 * answered (pipelining): requests are answered in order. A line over the size limit and a line that is
 * not JSON end the connection after their error response, because the stream may be out of step; every
 * other error (unknown method, bad params, a failed query) is answered and the connection stays open.
 *
 * <p>A client cannot pin the connection or its thread: the idle time counts from the last complete
 * request, so bytes trickled without a newline do not keep it alive, and a request begun must end
 * within {@link #REQUEST_READ_TIMEOUT}; a line is refused as soon as it passes the size limit, not after
 * reading on to its newline; and a write the client does not take within the query budget drops the
 * connection ({@link ConnectionRegistry} checks {@link #stalledWriteNanos}), so a client that stops reading
 * a long answer frees its thread and its slot.
 *
 * <p>A client that goes away mid-request costs nothing: the request finishes (its result is dropped),
 * and a running command sees {@code cancelled} turn true as soon as a write to the client fails. An
 * index run writes a {@code progress} notification every 250 ms ({@link #notify}), so it notices soon.
 *
 * <p>Threads: the pool thread runs {@link #run()}; {@link #send} is synchronized because a command's
 * output may be written from other threads; {@link #close()} and {@link #idleNanos} are called by the
 * server's threads at any time.
 */
final class Connection implements Runnable, ClientChannel {
  private static final Logger LOG = Logger.getLogger(Connection.class.getName());
  /**
   * Methods that count as use of the daemon (see {@link DaemonStateCoordinator}); {@code notify} too: an
   * editor or hook telling the daemon of changes is using it.
   */
  private static final Set<String> ACTIVITY = Set.of(Methods.QUERY, Methods.RUN, Methods.INDEX,
      Methods.INDEX_CANCEL, Methods.CLEAR_CACHE, Methods.NOTIFY);
  /** Methods that only observe: not in flight, no activity (see {@link DaemonStateCoordinator}). */
  private static final Set<String> OBSERVING = Set.of(Methods.HELLO, Methods.PING, Methods.STATUS);

  /** How long a request may take to arrive once its first byte has: a client writes one in one go. */
  static final long REQUEST_READ_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final DaemonServices services;
  /** Told when this connection ends, so the registry forgets it. */
  private final Consumer<Connection> closed;
  private final SocketChannel channel;
  private final int id;
  private final Dispatcher dispatcher;
  /** Set once a write failed or the connection was closed: the client cannot hear us any more. */
  private volatile boolean broken;
  private volatile boolean inRequest;
  /** When the last complete request arrived or was answered (at first: when the connection opened). */
  private volatile long lastActiveNanos = System.nanoTime();
  /** When the first byte of the request being received arrived; 0 when none is partly received. */
  private volatile long partialSinceNanos;
  /** When the write in progress began; 0 when none is in progress. Guarded by this for writes. */
  private volatile long writeSinceNanos;
  /** Id of the request being handled, for output notifications; written by the pool thread only. */
  private volatile JsonNode currentRequestId;

  Connection(DaemonServices services, SocketChannel channel, int id, Consumer<Connection> closed) {
    this.services = services;
    this.closed = closed;
    this.channel = channel;
    this.id = id;
    this.dispatcher = new Dispatcher(new MethodHandler(services, this));
  }

  @Override
  public void run() {
    JsonLines.Decoder decoder = new JsonLines.Decoder(JsonLines.MAX_REQUEST_BYTES);
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    try {
      while (true) {
        Frame frame = decoder.next();
        if (frame == null) {
          // Busy until no complete request is waiting, so that a client pipelining requests is never
          // taken for idle between two of them (and closed to make room for another).
          inRequest = false;
          if (decoder.partialBytes() > JsonLines.MAX_REQUEST_BYTES) {
            // Refused now, not at its newline: a client sending megabytes without one must not be read to the end.
            rejectTooLarge(new Frame.TooLarge(decoder.partialBytes()));
            return;
          }
          if (decoder.partialBytes() == 0) {
            partialSinceNanos = 0;
          } else if (partialSinceNanos == 0) {
            partialSinceNanos = nonZero(System.nanoTime()); // the request read timeout starts
          }
          buffer.clear();
          int n = channel.read(buffer);
          if (n < 0) {
            Frame last = decoder.atEndOfStream();
            if (last instanceof Frame.TooLarge tooLarge) {
              rejectTooLarge(tooLarge);
            }
            return;
          }
          buffer.flip();
          decoder.feed(buffer);
          continue;
        }
        inRequest = true;
        partialSinceNanos = 0;
        lastActiveNanos = System.nanoTime(); // only a complete request counts as activity
        if (frame instanceof Frame.TooLarge tooLarge) {
          rejectTooLarge(tooLarge);
          return;
        }
        if (!handleLine(((Frame.Line) frame).bytes())) {
          return;
        }
      }
    } catch (ClosedChannelException e) {
      // closed by stop() or the idle reaper
    } catch (IOException e) {
      LOG.fine("connection " + id + " ended: " + e);
    } catch (RuntimeException | Error e) {
      MissingClasses.exitIfCause(e);
      LOG.log(Level.SEVERE, "connection " + id + " failed", e);
    } finally {
      close();
      closed.accept(this);
    }
  }

  private void rejectTooLarge(Frame.TooLarge tooLarge) {
    services.metrics().error();
    LOG.warning("connection " + id + ": " + JsonLines.tooLargeMessage(tooLarge.bytes(), JsonLines.MAX_REQUEST_BYTES)
        + "; closing it");
    sendQuietly(JsonLines.error(null, ErrorCode.REQUEST_TOO_LARGE,
        JsonLines.tooLargeMessage(tooLarge.bytes(), JsonLines.MAX_REQUEST_BYTES)));
  }

  /** Handles one request line; false when the connection must close. */
  private boolean handleLine(byte[] line) {
    if (isBlank(line)) {
      return true; // tolerated between messages, e.g. from an interactive socat
    }
    JsonNode node;
    try {
      node = JsonLines.MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      services.metrics().error();
      sendQuietly(JsonLines.error(null, ErrorCode.PARSE_ERROR, "parse error: " + e.getOriginalMessage()));
      return false;
    } catch (IOException e) {
      sendQuietly(JsonLines.error(null, ErrorCode.PARSE_ERROR, "parse error: " + e.getMessage()));
      return false;
    }
    if (node == null || node.isMissingNode()) {
      return true;
    }
    if (!node.isObject()) {
      services.metrics().error();
      String what = node.isArray() ? "batch requests are not supported; send one request per line"
          : "a request must be a JSON object";
      sendQuietly(JsonLines.error(null, ErrorCode.INVALID_REQUEST, what));
      return true;
    }
    ObjectNode request = (ObjectNode) node;
    JsonNode requestId = request.get("id");
    boolean notification = requestId == null || requestId.isNull();
    if (requestId != null && !requestId.isNull() && !requestId.isTextual() && !requestId.isIntegralNumber()) {
      services.metrics().error();
      sendQuietly(JsonLines.error(null, ErrorCode.INVALID_REQUEST, "id must be a string or an integer"));
      return true;
    }
    JsonNode method = request.get("method");
    if (method == null || !method.isTextual()) {
      services.metrics().error();
      if (!notification) {
        sendQuietly(JsonLines.error(requestId, ErrorCode.INVALID_REQUEST, "method must be a string"));
      }
      return true;
    }
    boolean activity = ACTIVITY.contains(method.asText());
    boolean counted = !OBSERVING.contains(method.asText());
    boolean accepted = counted ? services.state().beginRequest(activity) : services.state().acceptsRequests();
    if (!accepted) {
      if (!notification) {
        sendQuietly(JsonLines.error(requestId, ErrorCode.SHUTTING_DOWN,
            "the daemon is shutting down; start a new one and retry"));
      }
      return true;
    }
    JsonNode response;
    currentRequestId = requestId;
    try {
      services.metrics().request();
      response = dispatcher.dispatch(request);
      if (response != null && response.has("error")) {
        services.metrics().error();
      }
      if (response != null) {
        sendQuietly(response);
      }
    } finally {
      currentRequestId = null;
      lastActiveNanos = System.nanoTime();
      if (counted) {
        services.state().endRequest(activity);
      }
    }
    return !broken;
  }

  private static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  /** Writes one message line; once a write fails the connection is broken and later sends are dropped. */
  synchronized void send(JsonNode message) throws IOException {
    if (broken) {
      throw new ClosedChannelException();
    }
    ByteBuffer bytes = ByteBuffer.wrap(JsonLines.encode(message));
    writeSinceNanos = nonZero(System.nanoTime());
    try {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    } catch (IOException e) {
      broken = true;
      throw e;
    } finally {
      writeSinceNanos = 0;
    }
  }

  /** 0 means "none" in the timestamps above; {@code nanoTime} may return it, once in 292 years. */
  private static long nonZero(long nanos) {
    return nanos == 0 ? 1 : nanos;
  }

  private void sendQuietly(JsonNode message) {
    try {
      send(message);
    } catch (IOException e) {
      LOG.fine("connection " + id + ": client gone before the response (" + e + ")");
    }
  }

  /**
   * Sends a notification for the current request; false once the client can no longer be written to.
   * On a Unix socket a write to a client that has closed fails at once (EPIPE), which is how a long
   * request notices the client is gone.
   */
  @Override
  public boolean notify(String method, Object params) {
    if (broken) {
      return false;
    }
    try {
      send(JsonLines.notification(method, params));
      return true;
    } catch (IOException e) {
      LOG.fine("connection " + id + ": client gone during " + method + " notifications (" + e + ")");
      return false;
    }
  }

  /** The id of the request being handled as a plain value (a number or a string), for notifications. */
  @Override
  public Object currentRequestIdValue() {
    JsonNode requestId = currentRequestId;
    if (requestId == null || requestId.isNull()) {
      return null;
    }
    return requestId.isTextual() ? requestId.asText() : requestId.numberValue();
  }

  /** True once the client can no longer be written to. */
  @Override
  public boolean isBroken() {
    return broken;
  }

  /** True while a request is handled, or a complete one waits behind it (pipelined); never closed as idle then. */
  boolean inRequest() {
    return inRequest;
  }

  /** Time since the last complete request (or the connection's opening); partial bytes do not count. */
  long idleNanos() {
    return System.nanoTime() - lastActiveNanos;
  }

  /** How long the request being received has taken so far; 0 when none is partly received. */
  long partialRequestNanos() {
    long since = partialSinceNanos;
    return since == 0 ? 0 : System.nanoTime() - since;
  }

  /** How long the write in progress has been blocked on the client; 0 when none is in progress. */
  long stalledWriteNanos() {
    long since = writeSinceNanos;
    return since == 0 ? 0 : System.nanoTime() - since;
  }

  int id() {
    return id;
  }

  /** A stream whose flushed text reaches the client as {@code output} notifications of the current request. */
  @Override
  public PrintStream outputStream(String stream) {
    return new PrintStream(new NotifyingOutputStream(stream), true, StandardCharsets.UTF_8);
  }

  void close() {
    broken = true;
    try {
      channel.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }

  /**
   * Buffers bytes and sends them as one notification per flush (a {@code PrintStream} with autoflush
   * flushes at every newline). Bytes of a UTF-8 sequence cut by a flush wait for the rest. After the
   * client has gone, output is dropped.
   */
  private final class NotifyingOutputStream extends OutputStream {
    private final String stream;
    private byte[] buf = new byte[8192];
    private int count;

    NotifyingOutputStream(String stream) {
      this.stream = stream;
    }

    @Override
    public synchronized void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    private void ensure(int more) {
      if (count + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
      }
    }

    @Override
    public synchronized void flush() {
      int end = completeUtf8Prefix(buf, count);
      if (end == 0) {
        return;
      }
      String text = new String(buf, 0, end, StandardCharsets.UTF_8);
      System.arraycopy(buf, end, buf, 0, count - end);
      count -= end;
      if (broken) {
        return;
      }
      try {
        send(JsonLines.notification(Methods.OUTPUT, new OutputParams(currentRequestId, stream, text)));
      } catch (IOException e) {
        LOG.fine("connection " + id + ": client gone while a command was printing");
      }
    }

    @Override
    public void close() {
      flush();
    }
  }

  /** Length of the longest prefix of {@code bytes[0, count)} that ends on a UTF-8 character boundary. */
  static int completeUtf8Prefix(byte[] bytes, int count) {
    int i = count - 1;
    int back = 0;
    while (i >= 0 && back < 4 && (bytes[i] & 0xC0) == 0x80) {
      i--;
      back++;
    }
    if (i < 0) {
      return count;
    }
    int lead = bytes[i] & 0xFF;
    int need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return back + 1 >= need ? count : i;
  }
}
