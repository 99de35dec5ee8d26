package dev.cidx.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The framing of the daemon protocol: every message is one line of UTF-8 JSON (a JSON-RPC 2.0 object)
 * ended by {@code \n}. JSON never needs a raw newline inside a value, so the newline is an unambiguous
 * frame end, and the protocol can be spoken with {@code socat} or {@code nc -U}.
 *
 * <p>Requests are limited to {@link #MAX_REQUEST_BYTES}; a longer line is answered with
 * {@link ErrorCode#REQUEST_TOO_LARGE} and the connection closed. The limit is enforced while reading, by
 * {@link Decoder}, so a huge line never sits in memory.
 */
public final class JsonLines {
  /** The most bytes a request line may have, not counting its newline. */
  public static final int MAX_REQUEST_BYTES = 1024 * 1024;
  /** The most bytes a client accepts in one response line (a query with many long snippets). */
  public static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
  public static final String JSONRPC_VERSION = "2.0";

  /** The mapper both sides use: unknown fields are ignored, so versions can add fields compatibly. */
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private JsonLines() {}

  /** The message as one line, newline included. */
  public static byte[] encode(JsonNode message) {
    try {
      byte[] json = MAPPER.writeValueAsBytes(message);
      byte[] line = new byte[json.length + 1];
      System.arraycopy(json, 0, line, 0, json.length);
      line[json.length] = '\n';
      return line;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + message, e);
    }
  }

  /**
   * {@code params} as {@link StreamingCodec.Params}: itself when it writes itself, {@code {}} for null,
   * else whatever databind makes of it (a record, a map).
   */
  public static StreamingCodec.Params params(Object params) {
    if (params == null) {
      return StreamingCodec.NO_PARAMS;
    }
    if (params instanceof StreamingCodec.Params p) {
      return p;
    }
    return g -> MAPPER.writeValue(g, params);
  }

  /** A value read by {@link StreamingCodec} as a tree (a null node for null). */
  public static JsonNode tree(Object value) {
    return value == null ? MAPPER.nullNode() : MAPPER.valueToTree(value);
  }

  /** A value read by {@link StreamingCodec} bound to {@code type} (a record from this package). */
  public static <T> T convert(Object value, Class<T> type) {
    return MAPPER.convertValue(value, type);
  }

  public static ObjectNode notification(String method, Object params) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("jsonrpc", JSONRPC_VERSION);
    node.put("method", method);
    node.set("params", MAPPER.valueToTree(params));
    return node;
  }

  /** An error response; {@code id} may be a null node when the request's id could not be read. */
  public static ObjectNode error(JsonNode id, ErrorCode code, String message) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("jsonrpc", JSONRPC_VERSION);
    node.set("id", id == null ? MAPPER.nullNode() : id);
    ObjectNode error = node.putObject("error");
    error.put("code", code.code());
    error.put("message", message);
    return node;
  }

  public static String tooLargeMessage(long bytes, int limit) {
    return "request too large (" + bytes + " bytes > " + limit + ")";
  }

  /**
   * Splits a byte stream into lines without ever holding more than {@code maxLineBytes} of one line.
   * Feed it whatever the socket delivered and take lines out with {@link #next()}; it does no I/O, so the
   * blocking server and the non-blocking client share it. Not thread-safe: one per connection.
   *
   * <p>A line over the limit is skipped (its bytes are counted, not kept) up to its newline, and then
   * reported once as {@link Frame.TooLarge} with its full length.
   */
  public static final class Decoder {
    private final int maxLineBytes;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private ByteBuffer pending = ByteBuffer.allocate(0);
    /** Length of the oversized line being skipped; -1 when not skipping. */
    private long skipped = -1;

    public Decoder(int maxLineBytes) {
      if (maxLineBytes < 1) {
        throw new IllegalArgumentException("maxLineBytes (" + maxLineBytes + ") must be positive");
      }
      this.maxLineBytes = maxLineBytes;
    }

    /** Adds bytes read from the stream; they are consumed by following {@link #next()} calls. */
    public void feed(ByteBuffer bytes) {
      if (pending.hasRemaining()) {
        ByteBuffer joined = ByteBuffer.allocate(pending.remaining() + bytes.remaining());
        joined.put(pending).put(bytes).flip();
        pending = joined;
      } else {
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
        copy.put(bytes).flip();
        pending = copy;
      }
    }

    /** The next complete frame, or null when more bytes are needed. */
    public Frame next() {
      while (pending.hasRemaining()) {
        int start = pending.position();
        int limit = pending.limit();
        int newline = -1;
        for (int i = start; i < limit; i++) {
          if (pending.get(i) == '\n') {
            newline = i;
            break;
          }
        }
        int end = newline < 0 ? limit : newline;
        int n = end - start;
        if (skipped >= 0) {
          skipped += n;
        } else if (line.size() + (long) n > maxLineBytes) {
          skipped = line.size() + (long) n;
          line.reset();
        } else {
          line.write(pending.array(), pending.arrayOffset() + start, n);
        }
        pending.position(newline < 0 ? limit : newline + 1);
        if (newline >= 0) {
          if (skipped >= 0) {
            long size = skipped;
            skipped = -1;
            return new Frame.TooLarge(size);
          }
          byte[] bytes = line.toByteArray();
          line.reset();
          return new Frame.Line(bytes);
        }
      }
      return null;
    }

    /**
     * What is left when the stream ends: an unterminated line over the limit is still reported as too
     * large; an unterminated short line is dropped (the peer went away mid-message).
     */
    public Frame atEndOfStream() {
      if (skipped >= 0) {
        long size = skipped;
        skipped = -1;
        return new Frame.TooLarge(size);
      }
      return null;
    }

    /** Bytes of the current unfinished line, held or skipped. */
    public long partialBytes() {
      return skipped >= 0 ? skipped : line.size();
    }
  }

  /** One unit out of a {@link Decoder}. */
  public sealed interface Frame {
    /** A complete line, newline removed. */
    record Line(byte[] bytes) implements Frame {
      public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
      }
    }

    /** A line longer than the limit; {@code bytes} is its length without the newline. */
    record TooLarge(long bytes) implements Frame {}
  }
}
