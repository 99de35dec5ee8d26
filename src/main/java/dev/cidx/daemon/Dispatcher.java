package dev.cidx.daemon;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.googlecode.jsonrpc4j.ErrorResolver;
import com.googlecode.jsonrpc4j.JsonResponse;
import com.googlecode.jsonrpc4j.JsonRpcBasicServer;
import com.googlecode.jsonrpc4j.JsonRpcMethod;
import dev.cidx.protocol.ErrorCode;
import dev.cidx.protocol.JsonLines;
import dev.cidx.search.SearchException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Hands one parsed JSON-RPC request to jsonrpc4j and returns the response to write (null for a
 * notification). Framing, parse errors and the size limit are the connection's job; this class covers
 * what happens between a parsed request and its response.
 *
 * <p><b>Parameters as one record.</b> jsonrpc4j binds a by-name {@code params} object to annotated
 * method parameters one by one. cidx's methods instead take their whole {@code params} object as one
 * record whose constructor validates it, so before dispatch {@code params} is wrapped into a one-element
 * positional array ({@code {...}} → {@code [{...}]}; missing → {@code [{}]}).
 *
 * <p><b>Invalid parameters are -32602.</b> When a record's constructor rejects a value (an
 * {@link IllegalArgumentException}), Jackson wraps it in a {@link ValueInstantiationException}, a
 * {@link JsonMappingException}. jsonrpc4j rethrows mapping exceptions from parameter conversion out of
 * {@code handleJsonNodeRequest}, and its own {@code handleRequest} would answer them as -32700 parse
 * errors with a null id, as if the line were not JSON. That is wrong for a well-formed request with a bad
 * value, so this class catches them and answers -32602 with the request's id and the record's message
 * ("invalid params for query: limit (0) must be between 1 and 1000"). An {@link IllegalArgumentException}
 * thrown by a method body maps to -32602 as well, through {@link #resolveError}.
 *
 * <p>Threads: one per connection, used by that connection's thread only.
 */
final class Dispatcher {
  private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());
  /**
   * jsonrpc4j logs through SLF4J (to java.util.logging here): an error at class initialisation about the
   * optional javax.jws annotations, and every invocation error. cidx logs errors itself, once, so its
   * logger is silenced. Held in a field: java.util.logging keeps loggers only weakly.
   */
  private static final Logger JSONRPC4J_LOG = Logger.getLogger("com.googlecode.jsonrpc4j");

  static {
    JSONRPC4J_LOG.setLevel(Level.OFF);
  }

  private final Server server;

  Dispatcher(DaemonRpc handler) {
    this.server = new Server(handler);
    server.setShouldLogInvocationErrors(false);
    server.setErrorResolver(Dispatcher::resolveError);
  }

  /** The response for {@code request} (a JSON object with a method), or null when it is a notification. */
  JsonNode dispatch(ObjectNode request) {
    JsonNode id = request.get("id");
    boolean notification = id == null || id.isNull();
    String method = request.path("method").asText();
    ObjectNode wrapped = request.deepCopy();
    JsonNode params = request.get("params");
    ArrayNode positional = wrapped.putArray("params");
    if (params == null || params.isNull()) {
      positional.addObject();
    } else if (params.isObject()) {
      positional.add(params);
    } else {
      return notification ? null
          : JsonLines.error(id, ErrorCode.INVALID_PARAMS, "invalid params for " + method + ": params must be a JSON object");
    }
    JsonNode response;
    try {
      JsonResponse r = server.handle(wrapped);
      response = r.getResponse();
    } catch (JsonMappingException e) {
      response = JsonLines.error(id, ErrorCode.INVALID_PARAMS, "invalid params for " + method + ": " + describe(e));
    } catch (com.fasterxml.jackson.core.JsonParseException e) {
      response = JsonLines.error(id, ErrorCode.INVALID_PARAMS, "invalid params for " + method + ": " + e.getOriginalMessage());
    }
    if (notification || response == null) {
      return null;
    }
    JsonNode error = response.get("error");
    if (error instanceof ObjectNode err && err.path("code").asInt() == ErrorCode.METHOD_NOT_FOUND.code()) {
      err.put("message", "method not found: " + method);
    }
    return response;
  }

  /** The rejected value's own message, without Jackson's location noise. */
  static String describe(JsonMappingException e) {
    if (e instanceof ValueInstantiationException && e.getCause() != null) {
      return e.getCause().getMessage();
    }
    String field = e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .filter(name -> !name.equals("[0]")) // the positional wrapper added by dispatch
        .collect(Collectors.joining("."));
    String message = e.getOriginalMessage();
    if (e instanceof InvalidFormatException f) {
      message = "cannot read " + f.getValue() + " as " + f.getTargetType().getSimpleName();
    } else if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      message = "expected " + m.getTargetType().getSimpleName();
    }
    return field.isEmpty() ? message : field + ": " + message;
  }

  /** Maps what a method threw to a JSON-RPC error. Unexpected failures are logged here, with their stack. */
  static ErrorResolver.JsonError resolveError(Throwable t, Method javaMethod, List<JsonNode> arguments) {
    JsonRpcMethod annotation = javaMethod.getAnnotation(JsonRpcMethod.class);
    String method = annotation != null ? annotation.value() : javaMethod.getName();
    if (t instanceof RpcException e) {
      return new ErrorResolver.JsonError(e.code().code(), e.getMessage(), null);
    }
    if (t instanceof SearchException e) {
      ErrorCode code = switch (e.reason()) {
        case NO_INDEX -> ErrorCode.NO_INDEX;
        case DAMAGED_INDEX -> ErrorCode.DAMAGED_INDEX;
        case MODEL_MISMATCH -> ErrorCode.MODEL_MISMATCH;
        case BAD_QUERY -> ErrorCode.BAD_QUERY;
        case TIMEOUT -> ErrorCode.QUERY_TIMEOUT;
        case INTERNAL -> ErrorCode.INTERNAL_ERROR;
      };
      if (code == ErrorCode.INTERNAL_ERROR || code == ErrorCode.DAMAGED_INDEX) {
        LOG.log(Level.WARNING, method + " failed: " + e.getMessage(), e);
      }
      return new ErrorResolver.JsonError(code.code(), e.getMessage(), null);
    }
    if (t instanceof IllegalArgumentException) {
      return new ErrorResolver.JsonError(ErrorCode.INVALID_PARAMS.code(),
          "invalid params for " + method + ": " + t.getMessage(), null);
    }
    MissingClasses.exitIfCause(t);
    LOG.log(Level.SEVERE, method + " failed", t);
    return new ErrorResolver.JsonError(ErrorCode.INTERNAL_ERROR.code(),
        "internal error in " + method + ": " + t + " (stack trace in daemon.log)", null);
  }

  /** Exposes jsonrpc4j's handling of one parsed request. */
  private static final class Server extends JsonRpcBasicServer {
    Server(DaemonRpc handler) {
      super(JsonLines.MAPPER, handler, DaemonRpc.class);
    }

    JsonResponse handle(JsonNode request) throws com.fasterxml.jackson.core.JsonParseException, JsonMappingException {
      return handleJsonNodeRequest(request);
    }
  }
}
