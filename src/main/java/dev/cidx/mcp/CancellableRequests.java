package dev.cidx.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * MCP cancellation for long tool calls, which the SDK's server does not deliver to tool handlers: it
 * neither hands a handler its request id nor routes {@code notifications/cancelled}. This sits between
 * stdin and the SDK's transport and reads each line (one JSON-RPC message, as the stdio transport
 * frames them): a {@code tools/call} gets its JSON-RPC id copied into {@code params._meta} under
 * {@link #REQUEST_ID}, where the handler finds it; a {@code notifications/cancelled} runs the action the
 * handler registered for that id and goes no further (the SDK would only log it as unknown). Every other
 * line passes unchanged. A cancellation that arrives before its handler registered is remembered.
 *
 * <p>Also tells the server when stdin ends ({@link #closed()}), which is how an MCP client stops a
 * stdio server.
 */
final class CancellableRequests {
  /** The {@code _meta} key that carries the request's id (its JSON text) to the handler. */
  static final String REQUEST_ID = "dev.cidx/request_id";
  private static final int MAX_REMEMBERED = 256;

  private final Map<String, Runnable> actions = new ConcurrentHashMap<>();
  /** Ids cancelled before (or without) a registration; bounded, oldest dropped. Guarded by itself. */
  private final Map<String, Boolean> early = Collections.synchronizedMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > MAX_REMEMBERED;
    }
  });
  private final CountDownLatch closed = new CountDownLatch(1);

  /** Runs {@code onCancel} (at most once) when the client cancels request {@code id}; {@link #done} ends it. */
  void register(String id, Runnable onCancel) {
    if (id == null) {
      return;
    }
    actions.put(id, onCancel);
    if (early.remove(id) != null && actions.remove(id) != null) {
      onCancel.run();
    }
  }

  void done(String id) {
    if (id != null) {
      actions.remove(id);
    }
  }

  void cancel(String id) {
    Runnable action = actions.remove(id);
    if (action != null) {
      action.run();
    } else {
      early.put(id, Boolean.TRUE);
    }
  }

  /** Counted down when stdin ends. */
  CountDownLatch closed() {
    return closed;
  }

  /** The id a tool call carries in {@code _meta} (see {@link #REQUEST_ID}), or null. */
  static String requestId(Map<String, Object> meta) {
    return meta == null || meta.get(REQUEST_ID) == null ? null : String.valueOf(meta.get(REQUEST_ID));
  }

  /** {@code in} with tool calls tagged and cancellations acted on. */
  InputStream filter(InputStream in) {
    return new Filter(in);
  }

  /** What the SDK reads instead of stdin: line by line, each line possibly rewritten. */
  private final class Filter extends InputStream {
    private final InputStream in;
    private byte[] line = new byte[0];
    private int position;
    private boolean eof;

    Filter(InputStream in) {
      this.in = new java.io.BufferedInputStream(in);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (position >= line.length) {
        if (eof) {
          return -1;
        }
        line = nextLine();
        position = 0;
      }
      int n = Math.min(len, line.length - position);
      System.arraycopy(line, position, b, off, n);
      position += n;
      return n;
    }

    /** The next line as the SDK should see it, with its newline; empty at the end of the input. */
    private byte[] nextLine() throws IOException {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        buffer.write(c);
      }
      if (c < 0) {
        eof = true;
        closed.countDown();
        if (buffer.size() == 0) {
          return new byte[0];
        }
      }
      byte[] raw = buffer.toByteArray();
      byte[] seen = rewrite(raw);
      if (seen == null) {
        return new byte[0]; // consumed here
      }
      byte[] out = new byte[seen.length + 1];
      System.arraycopy(seen, 0, out, 0, seen.length);
      out[seen.length] = '\n';
      return out;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** The line to pass on, or null for one handled here. Lines that are not JSON pass unchanged. */
  byte[] rewrite(byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8);
    if (!text.contains("tools/call") && !text.contains("notifications/cancelled")) {
      return raw;
    }
    JsonNode message;
    try {
      message = ToolResults.MAPPER.readTree(raw);
    } catch (IOException e) {
      return raw; // the SDK answers it with a parse error
    }
    if (!(message instanceof ObjectNode object)) {
      return raw;
    }
    String method = object.path("method").asText("");
    if (method.equals("notifications/cancelled")) {
      JsonNode id = object.path("params").path("requestId");
      if (!id.isMissingNode() && !id.isNull()) {
        cancel(id.toString());
      }
      return null;
    }
    if (method.equals("tools/call") && object.hasNonNull("id") && object.path("params") instanceof ObjectNode params) {
      JsonNode meta = params.path("_meta");
      ObjectNode tagged = meta instanceof ObjectNode m ? m : params.putObject("_meta");
      tagged.put(REQUEST_ID, object.get("id").toString());
      try {
        return ToolResults.MAPPER.writeValueAsBytes(object);
      } catch (IOException e) {
        return raw;
      }
    }
    return raw;
  }
}
