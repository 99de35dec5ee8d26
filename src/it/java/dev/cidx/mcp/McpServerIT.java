package dev.cidx.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cidx.client.DaemonControl;
import dev.cidx.config.RepoPaths;
import dev.cidx.testing.CidxProcess;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.InitializeResult;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/cidx mcp} as an agent runs it: a real subprocess on stdio, driven by the MCP SDK's own
 * client ({@link StdioClientTransport}), on a copy of the example repository indexed once for the class,
 * through a real daemon process. Cancellation is driven with raw JSON-RPC lines, because the SDK's
 * client has no way to cancel a request it sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class McpServerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);
  private static final DefaultJsonSchemaValidator VALIDATOR = new DefaultJsonSchemaValidator();

  @TempDir
  static Path tmp;

  private Path dir;
  private RepoPaths repo;
  private final List<McpSyncClient> clients = new ArrayList<>();

  @BeforeAll
  void indexTheExampleRepository() throws IOException {
    dir = tmp.resolve("examples");
    copyTree(CidxProcess.HOME.resolve("examples"), dir);
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("Secret.java"), "class Secret { String key = \"hunter2\"; }\n");
    Files.createSymbolicLink(dir.resolve("Leak.java"), outside.resolve("Secret.java"));
    Files.createSymbolicLink(dir.resolve("leakdir"), outside);
    Files.createDirectories(dir.resolve("ignored"));
    Files.writeString(dir.resolve("ignored/Hidden.java"), "class Hidden {}\n");
    Files.writeString(dir.resolve(".gitignore"), "ignored/\n");
    assertThat(CidxProcess.run(dir, "init").exit()).isZero();
    CidxProcess.Result index = CidxProcess.run(dir, Map.of("CIDX_NO_DAEMON", "1"), "index", "--json");
    assertThat(index.exit()).as(index.err()).isZero();
    repo = new RepoPaths(dir);
  }

  @AfterAll
  void stopEverything() {
    clients.forEach(McpSyncClient::closeGracefully);
    DaemonControl.stop(repo, Duration.ofSeconds(30));
  }

  @Test
  @Order(1)
  void initialize_andListTools_withValidSchemas() {
    McpSyncClient client = client(Map.of());
    InitializeResult init = client.initialize();
    assertThat(init.serverInfo().name()).isEqualTo("cidx");
    List<Tool> tools = client.listTools().tools();
    assertThat(tools).extracting(Tool::name).containsExactly("search_code", "read_code", "index_status", "reindex");
    for (Tool tool : tools) {
      assertThat(VALIDATOR.validateSchema(tool.outputSchema()).valid()).as(tool.name()).isTrue();
      Map<String, Object> input = JSON.convertValue(tool.inputSchema(), Map.class);
      assertThat(VALIDATOR.validateSchema(input).valid()).as(tool.name()).isTrue();
    }
  }

  @Test
  @Order(2)
  void searchCode_inEveryMode_throughTheDaemon() {
    McpSyncClient client = initialized(Map.of());
    for (String mode : List.of("hybrid", "semantic", "fts")) {
      Map<String, Object> page = structured(call(client, "search_code", Map.of("query", "thumbnail", "mode", mode)));
      assertThat(page.get("mode")).isEqualTo(mode);
      assertThat(page.get("via")).isEqualTo("daemon");
      assertThat(paths(page)).as(mode).isNotEmpty().anyMatch(p -> p.contains("Thumbnail"));
    }
  }

  @Test
  @Order(3)
  void searchCode_appliesTheFilters() {
    McpSyncClient client = initialized(Map.of());
    Map<String, Object> go = structured(call(client, "search_code",
        Map.of("query", "shut down gracefully", "languages", List.of("go"))));
    assertThat(results(go)).isNotEmpty().allSatisfy(h -> assertThat(h.get("language")).isEqualTo("go"));
    Map<String, Object> web = structured(call(client, "search_code",
        Map.of("query", "cancel an in-flight request", "path_filters", List.of("web/**"))));
    assertThat(paths(web)).isNotEmpty().allSatisfy(p -> assertThat(p).startsWith("web/"));
    Map<String, Object> notUpload = structured(call(client, "search_code", Map.of("query", "retry", "limit", 20,
        "path_filters", List.of("backend/**"), "exclude_paths", List.of("**/upload/**"))));
    assertThat(paths(notUpload)).isNotEmpty().allSatisfy(p -> assertThat(p).startsWith("backend/").doesNotContain("/upload/"));
    Map<String, Object> regex = structured(call(client, "search_code", Map.of("query", "parse.*line", "regex", true)));
    assertThat(regex.get("mode")).isEqualTo("fts");
    assertThat(paths(regex)).isNotEmpty();
  }

  @Test
  @Order(4)
  void pages_returnEveryResultExactlyOnce() {
    McpSyncClient client = initialized(Map.of());
    List<String> paged = new ArrayList<>();
    Map<String, Object> args = new HashMap<>(Map.of("query", "photo", "limit", 4, "snippet_lines", 0));
    int pages = 0;
    while (true) {
      Map<String, Object> page = structured(call(client, "search_code", args));
      pages++;
      results(page).forEach(h -> paged.add(h.get("path") + ":" + h.get("start_line")));
      if (page.get("next_cursor") == null) {
        break;
      }
      args.put("cursor", page.get("next_cursor"));
    }
    Map<String, Object> whole = structured(call(client, "search_code",
        Map.of("query", "photo", "limit", SearchCodeTool.fetchSize(4), "snippet_lines", 0)));
    List<String> all = new ArrayList<>();
    results(whole).forEach(h -> all.add(h.get("path") + ":" + h.get("start_line")));
    assertThat(pages).isGreaterThan(2);
    assertThat(paged).doesNotHaveDuplicates().containsExactlyElementsOf(all);
  }

  @Test
  @Order(5)
  void maxChars_isHonoured_andSaysWhatItCost() {
    McpSyncClient client = initialized(Map.of());
    CallToolResult r = call(client, "search_code", Map.of("query", "upload", "limit", 10, "max_chars", 2000));
    Map<String, Object> page = structured(r);
    int size = JSON.valueToTree(r.structuredContent()).toString().length() + text(r).length();
    assertThat(size).isLessThanOrEqualTo(2000);
    assertThat(Boolean.TRUE.equals(page.get("snippets_shortened")) || ((Number) page.get("results_dropped")).intValue() > 0)
        .isTrue();
    assertThat(page.get("next_cursor")).isNotNull();
  }

  @Test
  @Order(6)
  void readCode_readsIndexedFiles_withTheirState() {
    McpSyncClient client = initialized(Map.of());
    Map<String, Object> read = structured(call(client, "read_code",
        Map.of("path", "gateway/main.go", "start_line", 1, "end_line", 3)));
    assertThat(read.get("path")).isEqualTo("gateway/main.go");
    assertThat(read.get("language")).isEqualTo("go");
    assertThat(read.get("state")).isEqualTo("indexed");
    assertThat(read.get("start_line")).isEqualTo(1);
    assertThat(read.get("end_line")).isEqualTo(3);
    assertThat(((String) read.get("text")).lines()).hasSize(3);
  }

  @Test
  @Order(7)
  void readCode_refusesEveryEscape() {
    McpSyncClient client = initialized(Map.of());
    Map<String, String> refusals = Map.of(
        "../outside/Secret.java", "paths with '..' are refused",
        "backend/../../outside/Secret.java", "paths with '..' are refused",
        tmp.resolve("outside/Secret.java").toString(), "is outside the repository",
        "Leak.java", "leads outside the repository",
        "leakdir/Secret.java", "leads outside the repository",
        "ignored/Hidden.java", "is not a file cidx indexes",
        ".code-indexer/config.json", "is not a file cidx indexes",
        "no/such/File.java", "no such file in the repository");
    refusals.forEach((path, message) -> {
      CallToolResult r = call(client, "read_code", Map.of("path", path));
      assertThat(r.isError()).as(path).isTrue();
      assertThat(text(r)).as(path).startsWith("cidx: ").contains(message).doesNotContain("hunter2").doesNotContain("\tat ");
    });
  }

  @Test
  @Order(8)
  void badArguments_areRejected_withOneLine() {
    McpSyncClient client = initialized(Map.of());
    CallToolResult noQuery = call(client, "search_code", Map.of("mode", "fts"));
    assertThat(noQuery.isError()).isTrue();
    CallToolResult badMode = call(client, "search_code", Map.of("query", "x", "mode", "psychic"));
    assertThat(badMode.isError()).isTrue();
    assertThat(text(badMode)).doesNotContain("\n\tat ");
    CallToolResult badRegex = call(client, "search_code", Map.of("query", "parse(", "regex", true));
    assertThat(badRegex.isError()).isTrue();
    assertThat(text(badRegex)).startsWith("cidx: ").doesNotContain("\n");
  }

  @Test
  @Order(9)
  void twoServers_shareOneDaemon() {
    McpSyncClient first = initialized(Map.of());
    McpSyncClient second = initialized(Map.of());
    assertThat(structured(call(first, "search_code", Map.of("query", "retry"))).get("via")).isEqualTo("daemon");
    assertThat(structured(call(second, "search_code", Map.of("query", "retry"))).get("via")).isEqualTo("daemon");
    Object pid1 = daemon(structured(call(first, "index_status", Map.of()))).get("pid");
    Object pid2 = daemon(structured(call(second, "index_status", Map.of()))).get("pid");
    assertThat(pid1).isNotNull().isEqualTo(pid2);
    assertThat(((Number) pid1).longValue()).isEqualTo(DaemonControl.ping(repo).orElseThrow().pid());
  }

  @Test
  @Order(10)
  void withoutADaemon_searchRunsStandalone() {
    McpSyncClient client = initialized(Map.of("CIDX_NO_DAEMON", "1"));
    Map<String, Object> page = structured(call(client, "search_code", Map.of("query", "thumbnail", "mode", "fts")));
    assertThat(page.get("via")).isEqualTo("standalone");
    assertThat(paths(page)).isNotEmpty();
  }

  @Test
  @Order(11)
  void reindex_sendsProgress_andIndexesTheChange() throws IOException {
    List<ProgressNotification> progress = new CopyOnWriteArrayList<>();
    McpSyncClient client = client(Map.of(), progress::add);
    client.initialize();
    Path added = dir.resolve("backend/Quokka.java");
    Files.writeString(added, "class Quokka { int hops() { return 42; } }\n");
    CallToolResult r = client.callTool(CallToolRequest.builder().name("reindex").arguments(Map.of())
        .progressToken("reindex-1").build());
    assertThat(r.isError()).as(text(r)).isFalse();
    Map<String, Object> result = structured(r);
    assertThat(((Number) result.get("files_indexed")).intValue()).isGreaterThanOrEqualTo(1);
    assertThat(result.get("cancelled")).isEqualTo(false);
    await().atMost(Duration.ofSeconds(30)).until(() -> !progress.isEmpty());
    assertThat(progress).allSatisfy(p -> assertThat(p.progressToken()).isEqualTo("reindex-1"));
    assertThat(structured(call(client, "read_code", Map.of("path", "backend/Quokka.java"))).get("state"))
        .isEqualTo("indexed");
    Files.setLastModifiedTime(added, FileTime.from(Instant.now().plusSeconds(60)));
    assertThat(structured(call(client, "read_code", Map.of("path", "backend/Quokka.java"))).get("state"))
        .isEqualTo("stale");
  }

  @Test
  @Order(12)
  void cancellingReindex_cancelsTheDaemonsRun() throws Exception {
    Path many = Files.createDirectories(dir.resolve("generated"));
    for (int i = 0; i < 300; i++) {
      Files.writeString(many.resolve("Gen" + i + ".java"), "class Gen" + i + " {\n  // the " + i
          + "th generated class, about " + Integer.toHexString(i * 7919) + " quokkas\n  int value() { return " + i + "; }\n}\n");
    }
    Process server = new ProcessBuilder(CidxProcess.HOME.resolve("bin/cidx").toString(), "mcp", "--path", dir.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          messages.add(JSON.readTree(line));
        }
      } catch (IOException e) {
        // the server ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    OutputStream out = server.getOutputStream();
    try {
      send(out, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
          + "\"capabilities\":{},\"clientInfo\":{\"name\":\"it\",\"version\":\"1\"}}}");
      assertThat(next(messages, m -> m.path("id").asInt() == 1)).isNotNull();
      send(out, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
      send(out, "{\"jsonrpc\":\"2.0\",\"id\":\"run-9\",\"method\":\"tools/call\",\"params\":{\"name\":\"reindex\","
          + "\"arguments\":{},\"_meta\":{\"progressToken\":\"p9\"}}}");
      JsonNode progress = next(messages, m -> "notifications/progress".equals(m.path("method").asText()));
      assertThat(progress.path("params").path("progressToken").asText()).isEqualTo("p9");
      send(out, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"run-9\","
          + "\"reason\":\"test\"}}");
      JsonNode answer = next(messages, m -> "run-9".equals(m.path("id").asText()));
      JsonNode result = answer.path("result");
      assertThat(result.path("isError").asBoolean()).as(answer.toString()).isFalse();
      assertThat(result.path("structuredContent").path("cancelled").asBoolean()).as(answer.toString()).isTrue();
      assertThat(result.path("content").get(0).path("text").asText()).startsWith("cancelled: ");
      await().atMost(Duration.ofSeconds(60)).until(() -> DaemonControl.status(repo).map(s -> s.indexing() == null).orElse(true));
    } finally {
      out.close();
      server.waitFor(30, TimeUnit.SECONDS);
      server.destroyForcibly();
      try (Stream<Path> files = Files.walk(many)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  // --- helpers

  private McpSyncClient client(Map<String, String> env) {
    return client(env, p -> {});
  }

  private McpSyncClient client(Map<String, String> env, java.util.function.Consumer<ProgressNotification> progress) {
    ServerParameters.Builder params = ServerParameters.builder(CidxProcess.HOME.resolve("bin/cidx").toString())
        .args("mcp", "--path", dir.toString());
    Map<String, String> environment = new HashMap<>(System.getenv());
    environment.remove("CIDX_NO_DAEMON");
    environment.putAll(env);
    params.env(environment);
    StdioClientTransport transport = new StdioClientTransport(params.build(), new JacksonMcpJsonMapper(new ObjectMapper()));
    transport.setStdErrorHandler(line -> System.err.println("cidx mcp: " + line));
    McpSyncClient client = McpClient.sync(transport).requestTimeout(CALL_TIMEOUT).initializationTimeout(CALL_TIMEOUT)
        .progressConsumer(progress).build();
    clients.add(client);
    return client;
  }

  private McpSyncClient initialized(Map<String, String> env) {
    McpSyncClient client = client(env);
    client.initialize();
    return client;
  }

  private static CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
    return client.callTool(new CallToolRequest(tool, args));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> structured(CallToolResult r) {
    assertThat(r.isError()).as(text(r)).isNotEqualTo(Boolean.TRUE);
    return (Map<String, Object>) r.structuredContent();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> results(Map<String, Object> page) {
    return (List<Map<String, Object>>) page.get("results");
  }

  private static List<String> paths(Map<String, Object> page) {
    return results(page).stream().map(h -> (String) h.get("path")).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> daemon(Map<String, Object> status) {
    return (Map<String, Object>) status.get("daemon");
  }

  private static String text(CallToolResult r) {
    return r.content().isEmpty() ? "" : ((TextContent) r.content().get(0)).text();
  }

  private static void send(OutputStream out, String line) throws IOException {
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static JsonNode next(BlockingQueue<JsonNode> messages, java.util.function.Predicate<JsonNode> wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode m = messages.poll(1, TimeUnit.SECONDS);
      if (m != null && wanted.test(m)) {
        return m;
      }
    }
    throw new AssertionError("no such message within " + CALL_TIMEOUT.toSeconds() + " s");
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.toString().contains(".code-indexer")) {
          Files.copy(p, target);
        }
      }
    }
  }
}
