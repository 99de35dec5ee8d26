package dev.cidx.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.protocol.JsonLines;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordOutputValidatorTest {
  private final RecordOutputValidator validator =
      new RecordOutputValidator(new DefaultJsonSchemaValidator(JsonLines.MAPPER.copy()));
  private final Map<String, Object> schema = Map.of("type", "object", "required", List.of("path"),
      "properties", Map.of("path", Map.of("type", "string")));

  record Answer(String path) {}

  @Test
  void aRecord_passesWithoutBeingValidatedAgain() {
    // Its schema is generated from the record itself; MessageConsumersTest checks the two agree.
    assertThat(validator.validate(schema, new Answer("a.java")).valid()).isTrue();
  }

  @Test
  void anythingElse_isValidatedByTheSdksValidator() {
    assertThat(validator.validate(schema, Map.of("path", "a.java")).valid()).isTrue();
    assertThat(validator.validate(schema, Map.of("path", 3)).valid()).isFalse();
    assertThat(validator.validate(schema, Map.of()).valid()).isFalse();
  }
}
