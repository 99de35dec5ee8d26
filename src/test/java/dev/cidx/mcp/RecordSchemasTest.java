package dev.cidx.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cidx.protocol.Hit;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.RepoStatus;
import dev.cidx.protocol.SearchMode;
import dev.cidx.testing.SampleMessages;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator.ValidationResponse;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each tool's output schema against what the tool really sends: a fully populated result (every
 * optional field set) must validate, and its JSON must have the schema's properties, no other, and all
 * required ones, at every level. A renamed, ignored, added or retyped field fails here.
 */
class RecordSchemasTest {
  private static final DefaultJsonSchemaValidator VALIDATOR = new DefaultJsonSchemaValidator();

  static final Hit HIT = new Hit("src/a.java", 3, 9, 0.5, "java", "line \u0007 \"quoted\"\n\u202e next", 4, 1, null,
      List.of("a"), true);

  @Test
  void searchCodeResult_matchesItsSchema() {
    QueryResult result = new QueryResult("q", SearchMode.HYBRID, 1.5, "daemon", List.of(HIT), List.of("w"), 0.5);
    assertMatches(new SearchCodeResult(result, 10, "cursor", true, 2), SearchCodeResult.class);
  }

  @Test
  void readCodeResult_matchesItsSchema() {
    assertMatches(new ReadCodeResult("a.java", "java", 1, 2, 9, ReadCodeResult.State.STALE, true, "x\ny\n"),
        ReadCodeResult.class);
  }

  @Test
  void reindexResult_matchesItsSchema() {
    assertMatches(new IndexResult(1, 2, 3, 4, 5, 6, 7, 8.5, true, false, "daemon"), IndexResult.class);
  }

  @Test
  void repoStatus_withAndWithoutADaemon_matchesItsSchema() {
    assertMatches(SampleMessages.REPO_STATUS_RUNNING, RepoStatus.class);
    assertMatches(SampleMessages.REPO_STATUS_ABSENT, RepoStatus.class);
  }

  @Test
  void nullsAreAllowedOnlyWhereTheRecordCanHoldThem() {
    Map<String, Object> schema = RecordSchemas.of(SearchCodeResult.class);
    Map<String, Object> json = ToolResults.structured(new SearchCodeResult(
        new QueryResult("q", SearchMode.FTS, 1, "standalone", List.of(HIT)), 0, null, false, 0));
    assertThat(json).doesNotContainKeys("next_cursor", "semantic_coverage");
    assertValid(schema, json);
    json.put("offset", null);
    assertThat(VALIDATOR.validate(schema, json).valid()).isFalse();
  }

  @Test
  void everyAdvertisedSchemaIsAValidJsonSchema() {
    for (Tool tool : CidxMcpServer.tools()) {
      assertThat(VALIDATOR.validateSchema(tool.outputSchema()).valid()).as(tool.name()).isTrue();
      assertThat(VALIDATOR.validateSchema(tool.inputSchema()).valid()).as(tool.name()).isTrue();
    }
  }

  record Unnamed(@JsonProperty("a") int a, int b) {}

  @Test
  void aFieldWithoutAWireNameIsRefused() {
    assertThatThrownBy(() -> RecordSchemas.of(Unnamed.class))
        .hasMessage("Unnamed.b has no @JsonProperty name");
  }

  static void assertMatches(Object record, Class<?> type) {
    Map<String, Object> schema = RecordSchemas.of(type);
    Map<String, Object> json = ToolResults.structured(record);
    assertValid(schema, json);
    assertSameProperties(schema, json, type.getSimpleName());
  }

  static void assertValid(Map<String, Object> schema, Map<String, Object> json) {
    ValidationResponse response = VALIDATOR.validate(schema, json);
    assertThat(response.valid()).as(response.errorMessage()).isTrue();
  }

  /** The JSON's keys are the schema's properties, and so on down through nested objects and arrays. */
  @SuppressWarnings("unchecked")
  static void assertSameProperties(Map<String, Object> schema, Map<String, Object> json, String where) {
    if (schema.get("anyOf") instanceof List<?> alternatives) {
      // a sealed interface or a record that may be null: the JSON is one of the records, the one it fits
      List<Map<String, Object>> matching = alternatives.stream().map(a -> (Map<String, Object>) a)
          .filter(a -> a.get("properties") instanceof Map<?, ?> p && p.keySet().containsAll(json.keySet())
              && json.keySet().containsAll((List<String>) a.get("required")))
          .toList();
      assertThat(matching).as(where + ": the alternative that fits the keys " + json.keySet()).hasSize(1);
      schema = matching.get(0);
    }
    Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
    if (properties == null) {
      return; // an open object (a map)
    }
    List<String> required = (List<String>) schema.getOrDefault("required", List.of());
    assertThat(properties.keySet()).as(where + ": written").containsAll(json.keySet());
    assertThat(json.keySet()).as(where + ": required").containsAll(required);
    for (Map.Entry<String, Object> p : properties.entrySet()) {
      Map<String, Object> property = (Map<String, Object>) p.getValue();
      Object value = json.get(p.getKey());
      if (value instanceof Map<?, ?> nested) {
        assertSameProperties(property, (Map<String, Object>) nested, where + "." + p.getKey());
      } else if (value instanceof List<?> list && property.get("items") instanceof Map<?, ?> items) {
        for (Object element : list) {
          if (element instanceof Map<?, ?> e) {
            assertSameProperties((Map<String, Object>) items, (Map<String, Object>) e, where + "." + p.getKey() + "[]");
          }
        }
      }
    }
  }
}
