package dev.cidx.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.cidx.protocol.JsonLines;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.Map;

/**
 * The two shapes of a tool's answer: a result (structured content, the record as JSON, and its text
 * rendering), or a tool error with the same one line the CLI prints. Arguments are read into their
 * record strictly: an unknown or mistyped argument is an error naming it, not a silent default.
 */
final class ToolResults {
  /**
   * The wire form of cidx's records, as the daemon and {@code --json} write them; strict for arguments, as
   * their schemas say: no unknown property ({@code additionalProperties: false}), no string for a number
   * or number for a string, no fraction for an integer.
   */
  static final ObjectMapper MAPPER = JsonLines.MAPPER.copy()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

  private ToolResults() {}

  static <T> T arguments(CallToolRequest request, Class<T> type) {
    Map<String, Object> arguments = request.arguments() == null ? Map.of() : request.arguments();
    try {
      return MAPPER.convertValue(arguments, type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad arguments: " + oneLine(e));
    }
  }

  static Map<String, Object> structured(Object record) {
    return MAPPER.convertValue(record, OBJECT);
  }

  static String json(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /**
   * The record itself is the structured content, not a map made from it: the SDK writes it with the same
   * mapper, and a conversion would be one more pass over every answer (see {@link RecordOutputValidator}).
   */
  static CallToolResult success(Record record, String text) {
    return CallToolResult.builder().structuredContent(record).addTextContent(text).isError(false).build();
  }

  /** A tool error: one line, the CLI's wording; never a stack trace. */
  static CallToolResult error(String message) {
    return CallToolResult.builder().addTextContent("cidx: " + firstLine(message)).isError(true).build();
  }

  static String firstLine(String message) {
    return DaemonFirstQueries.firstLine(message);
  }

  /**
   * The one line for arguments that do not bind: the record's or enum's own message when one of ours
   * refused a value ("mode (x) must be one of ..."), else Jackson's, without its location details.
   */
  private static String oneLine(IllegalArgumentException e) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException ours) {
        return firstLine(ours.getMessage());
      }
    }
    Throwable cause = e.getCause() instanceof JsonProcessingException j ? j : e;
    String message = cause instanceof JsonProcessingException j ? j.getOriginalMessage() : cause.getMessage();
    return firstLine(message);
  }
}
