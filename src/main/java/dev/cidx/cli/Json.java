package dev.cidx.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Locale;

/**
 * The JSON every {@code --json} flag prints: one object, pretty-printed, snake_case fields. Strings escape
 * every character that could act on a terminal when the JSON itself is printed to one ({@link
 * ControlEscapes}); a JSON parser gets the original text back.
 */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper(escaping()).enable(SerializationFeature.INDENT_OUTPUT);

  private static final ObjectMapper COMPACT = new ObjectMapper(escaping());

  private Json() {}

  /** One object on one line, for output that is a stream of JSON lines. */
  static String writeLine(Object value) {
    try {
      return COMPACT.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  private static JsonFactory escaping() {
    JsonFactory factory = new JsonFactory();
    factory.setCharacterEscapes(new ControlEscapes());
    return factory;
  }

  /**
   * JSON already escapes C0 controls; this adds DEL, the C1 controls (U+0080 to U+009F: U+009B is a CSI
   * on terminals that read 8-bit controls) and the bidi controls of {@link TerminalText}, as
   * {@code \}{@code uXXXX}.
   */
  static final class ControlEscapes extends CharacterEscapes {
    private final int[] ascii;

    ControlEscapes() {
      ascii = standardAsciiEscapesForJSON();
      ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return TerminalText.isUnsafe(ch) ? new SerializedString(String.format(Locale.ROOT, "\\u%04X", ch)) : null;
    }
  }
}
