package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cidx.protocol.JsonLines;
import dev.cidx.testing.SampleMessages;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  private static final String HOSTILE = "\u001b]0;pwned\u0007 \u001b[2J \u009b31m \u007f \u202e \u2066x\u2069\nend\té";

  @Test
  void controls_areEscaped_asJsonDoes() {
    String json = Json.writeLine(Map.of("s", HOSTILE));
    assertThat(json).isEqualTo("{\"s\":\"\\u001B]0;pwned\\u0007 \\u001B[2J \\u009B31m \\u007F \\u202E "
        + "\\u2066x\\u2069\\nend\\té\"}");
  }

  @Test
  void escapedText_parsesBackToTheOriginal() throws Exception {
    for (String json : new String[] {Json.write(Map.of("s", HOSTILE)), Json.writeLine(Map.of("s", HOSTILE))}) {
      assertThat(new ObjectMapper().readTree(json).get("s").asText()).isEqualTo(HOSTILE);
    }
  }

  @Test
  void prettyOutput_holdsNoRawControlButItsNewlines() {
    String json = Json.write(Map.of("s", HOSTILE));
    assertThat(json.chars().filter(c -> c != '\n' && TerminalText.isUnsafe(c))).isEmpty();
  }

  /** What {@code --json} prints of a message is what the daemon sends of it, field for field and in order. */
  @Test
  void everyMessage_printsAsTheWireWritesIt() throws Exception {
    for (Object message : SampleMessages.all()) {
      String wire = JsonLines.MAPPER.valueToTree(message).toString();
      assertThat(JsonLines.MAPPER.readTree(Json.write(message)).toString()).as(message.getClass().getSimpleName())
          .isEqualTo(wire);
      assertThat(JsonLines.MAPPER.readTree(Json.writeLine(message)).toString()).isEqualTo(wire);
    }
  }
}
