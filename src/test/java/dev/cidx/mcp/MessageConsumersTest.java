package dev.cidx.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.cli.Cli;
import dev.cidx.cli.Terminal;
import dev.cidx.config.RepoPaths;
import dev.cidx.daemon.DaemonServer;
import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.RepoStatus;
import dev.cidx.testing.FakeCacheLoader;
import dev.cidx.testing.SampleMessages;
import dev.cidx.testing.TestRepo;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three consumers of each message agree: the daemon's JSON-RPC (protocol's mapper), MCP's structured
 * content and output schemas, and the CLI's {@code --json}, read from the real commands. A field renamed,
 * added or retyped in one place only, or a consumer that writes a message its own way, fails here.
 * ({@code cli.JsonTest} compares the CLI's writer with the wire for the same records.)
 */
class MessageConsumersTest {
  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

  @TempDir Path root;

  @Test
  void everyMessage_isTheSameJson_onTheWire_andInMcpStructuredContent() {
    for (Object message : SampleMessages.all()) {
      assertThat(ToolResults.MAPPER.valueToTree(message).toString()).as(message.getClass().getSimpleName())
          .isEqualTo(JsonLines.MAPPER.valueToTree(message).toString());
    }
  }

  @Test
  void everyMessageTheClientReads_readsBackAsTheRecordTheDaemonWrote() throws Exception {
    for (Object message : SampleMessages.all()) {
      if (message instanceof RepoStatus) {
        continue; // printed and returned, never read back
      }
      JsonNode wire = JsonLines.MAPPER.readTree(JsonLines.MAPPER.writeValueAsBytes(message));
      assertThat(JsonLines.MAPPER.treeToValue(wire, message.getClass())).isEqualTo(message);
    }
  }

  @Test
  void eachToolResult_validatesAgainstItsAdvertisedSchema_withExactlyItsProperties() {
    assertMatchesTool(ToolResults.structured(SampleMessages.REPO_STATUS_RUNNING), IndexStatusTool.NAME);
    assertMatchesTool(ToolResults.structured(SampleMessages.REPO_STATUS_ABSENT), IndexStatusTool.NAME);
    assertMatchesTool(ToolResults.structured(SampleMessages.INDEX_RESULT), ReindexTool.NAME);
    assertMatchesTool(ToolResults.structured(new SearchCodeResult(SampleMessages.QUERY_RESULT, 0, "c", true, 1)),
        SearchCodeTool.NAME);
  }

  @Test
  void cliStatusJson_withoutAndWithADaemon_isWhatIndexStatusAdvertises() throws Exception {
    RepoPaths repo = TestRepo.create(root);
    Map<String, Object> without = json(cidx(Map.of(), "status", "--json"));
    assertMatchesTool(without, IndexStatusTool.NAME);
    assertThat(daemon(without)).containsEntry("running", false).containsEntry("pid", null);

    DaemonServer server = DaemonServer.builder(repo).cacheLoader(new FakeCacheLoader()).build();
    server.start();
    try {
      Map<String, Object> with = json(cidx(Map.of(), "status", "--json"));
      assertMatchesTool(with, IndexStatusTool.NAME);
      assertThat(daemon(with)).containsEntry("running", true).containsEntry("enabled", true);
      assertThat(((Number) daemon(with).get("pid")).longValue()).isEqualTo(ProcessHandle.current().pid());
    } finally {
      server.stop("test over");
    }
  }

  @Test
  void cliIndexAndQueryJson_areWhatReindexAndSearchCodeAdvertise() throws Exception {
    TestRepo.create(root);
    Files.writeString(root.resolve("Greeter.java"), "class Greeter {\n  String greet(String name) {\n"
        + "    return \"hello \" + name;\n  }\n}\n");
    Map<String, Object> index = json(cidx(Map.of("CIDX_NO_DAEMON", "1"), "index", "--json"));
    assertMatchesTool(index, ReindexTool.NAME);
    assertThat(index).containsEntry("via", "standalone").containsEntry("files_indexed", 1);

    Map<String, Object> status = json(cidx(Map.of(), "status", "--json"));
    assertMatchesTool(status, IndexStatusTool.NAME);
    assertThat(index(status)).containsEntry("indexed", true).containsEntry("files", 1);

    Map<String, Object> query = json(cidx(Map.of("CIDX_NO_DAEMON", "1"), "query", "greet", "--fts", "--json"));
    assertThat((List<?>) query.get("results")).isNotEmpty();
    // search_code's answer is the query's, unwrapped, plus how to page on
    Map<String, Object> page = new LinkedHashMap<>(query);
    page.put("offset", 0);
    page.put("snippets_shortened", false);
    page.put("results_dropped", 0);
    assertMatchesTool(page, SearchCodeTool.NAME);
  }

  private static void assertMatchesTool(Map<String, Object> json, String tool) {
    Map<String, Object> schema = CidxMcpServer.tools().stream().filter(t -> t.name().equals(tool)).findFirst()
        .map(Tool::outputSchema).orElseThrow();
    RecordSchemasTest.assertValid(schema, json);
    RecordSchemasTest.assertSameProperties(schema, json, tool);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> index(Map<String, Object> status) {
    return (Map<String, Object>) status.get("index");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> daemon(Map<String, Object> status) {
    return (Map<String, Object>) status.get("daemon");
  }

  private static Map<String, Object> json(String out) throws Exception {
    return JsonLines.MAPPER.readValue(out, OBJECT);
  }

  /** Runs the command line in this process, as {@code bin/cidx} would without a daemon; its stdout. */
  private String cidx(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Cli.run(List.of(args), new Cli.Context(root, env, Terminal.PLAIN,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        Optional.empty()));
    assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }
}
