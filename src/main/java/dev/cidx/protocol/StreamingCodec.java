package dev.cidx.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client's side of the wire: request lines written, and response and notification lines read, with
 * jackson-core's streaming API only. The client's process lives for one command, and starting databind
 * (an {@code ObjectMapper}, record introspection, serializer caches) costs several times the whole
 * warm query, so nothing on the {@code cidx query} path binds by reflection. Values under {@code result}
 * and {@code params} come back as plain Java values ({@link #readValue}); callers that want records
 * convert them with databind off that path ({@link JsonLines#convert}). For the same reason the path has
 * no lambdas: each would start the {@code invokedynamic} machinery, some milliseconds the first time.
 *
 * <p>The daemon reads the same lines with databind (jsonrpc4j); the tests check that both agree.
 */
public final class StreamingCodec {
  private static final JsonFactory FACTORY = new JsonFactory();

  private StreamingCodec() {}

  /** A {@code params} object that writes itself. */
  public interface Params {
    /** Writes one JSON object: start, fields, end. */
    void writeTo(JsonGenerator g) throws IOException;
  }

  /** Writes {@code {}}, for methods without parameters. A class, not a lambda: see {@link StreamingCodec}. */
  public static final Params NO_PARAMS = new NoParams();

  private static final class NoParams implements Params {
    @Override
    public void writeTo(JsonGenerator g) throws IOException {
      g.writeStartObject();
      g.writeEndObject();
    }
  }

  /** A JSON-RPC request as one line, newline included. */
  public static byte[] request(long id, String method, Params params) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("jsonrpc", JsonLines.JSONRPC_VERSION);
      g.writeNumberField("id", id);
      g.writeStringField("method", method);
      g.writeFieldName("params");
      params.writeTo(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a " + method + " request: " + e.getMessage(), e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  /** Reads one line from the daemon: a response or a notification. Not JSON, or not an object: an exception. */
  public static Incoming read(byte[] line) throws IOException {
    try (JsonParser p = FACTORY.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new JsonParseException(p, "a message must be a JSON object");
      }
      Incoming m = new Incoming();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        switch (name) {
          case "id" -> {
            m.hasId = true;
            m.id = readValue(p);
          }
          case "method" -> m.method = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null;
          case "params" -> m.params = readValue(p);
          case "result" -> m.result = readValue(p);
          case "error" -> m.error = readValue(p);
          default -> p.skipChildren();
        }
      }
      return m;
    }
  }

  /**
   * The value the parser stands on as plain Java: objects as {@link Map} (in order), arrays as
   * {@link List}, strings, {@link Boolean}, integers as {@link Integer}, {@link Long} or
   * {@code BigInteger}, other numbers as {@link Double}, null as null.
   */
  static Object readValue(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT: {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          map.put(name, readValue(p));
        }
        return map;
      }
      case START_ARRAY: {
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(readValue(p));
        }
        return list;
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getNumberValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      default:
        return null;
    }
  }

  /** {@code value.key} when {@code value} is an object holding a string there, else null. */
  public static String string(Object value, String key) {
    return value instanceof Map<?, ?> map && map.get(key) instanceof String s ? s : null;
  }

  /** {@code value.key} when {@code value} is an object holding an integer there, else {@code otherwise}. */
  public static long integer(Object value, String key, long otherwise) {
    if (value instanceof Map<?, ?> map && map.get(key) instanceof Number n && !(n instanceof Double)) {
      return n.longValue();
    }
    return otherwise;
  }

  /**
   * One line from the daemon. A notification has no id (or a null one) and a method; a response has an
   * id and either a result or an error; an error the daemon could not tie to a request has a null id.
   */
  public static final class Incoming {
    private boolean hasId;
    private Object id;
    private String method;
    private Object params;
    private Object result;
    private Object error;

    private Incoming() {}

    public boolean isNotification() {
      return !hasId || id == null && method != null;
    }

    /** The response's id: a {@link Long} or {@link Integer} as the client sends them, a string, or null. */
    public Object id() {
      return id;
    }

    /** True when {@link #id()} is the integer {@code expected}. */
    public boolean answers(long expected) {
      return id instanceof Number n && !(n instanceof Double) && n.longValue() == expected;
    }

    public String method() {
      return method;
    }

    public Object params() {
      return params;
    }

    /** The result as plain Java values (see {@link #readValue}); null when absent or null. */
    public Object result() {
      return result;
    }

    public boolean isError() {
      return error != null;
    }

    public int errorCode() {
      return (int) integer(error, "code", ErrorCode.INTERNAL_ERROR.code());
    }

    public String errorMessage() {
      String message = string(error, "message");
      return message == null ? "error without a message" : message;
    }
  }
}
