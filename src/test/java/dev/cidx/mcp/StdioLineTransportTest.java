package dev.cidx.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.Hit;
import dev.cidx.protocol.QueryResult;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole MCP server ({@link CidxMcpServer#serve}) over piped stdin and stdout, with a query service
 * that answers at once: what goes over the wire, and on which thread a search runs.
 */
class StdioLineTransportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path root;
  private volatile String queryThread;
  private OutputStream toServer;
  private BufferedReader fromServer;
  private CompletableFuture<Void> serving;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();

  @BeforeEach
  void start() throws IOException {
    McpSetup setup = new McpSetup(new RepoPaths(root), CidxConfig.defaults(), false, List.of(), request -> {
      queryThread = Thread.currentThread().getName();
      // A snippet with line breaks: the answer must still be one line on the wire.
      return new QueryResult(request.query(), request.mode(), 1, "standalone", List.of(new Hit("a/B.java", 3, 5,
          0.5, "java", "class B {\n  int x;\r\n}", 3, null, 1, List.of("b"), false)));
    }, () -> {
      throw new IllegalStateException("not used");
    });
    PipedInputStream serverIn = new PipedInputStream(1 << 16);
    toServer = new PipedOutputStream(serverIn);
    PipedInputStream clientIn = new PipedInputStream(1 << 16);
    OutputStream serverOut = new PipedOutputStream(clientIn);
    fromServer = new BufferedReader(new InputStreamReader(clientIn, StandardCharsets.UTF_8));
    PrintStream err = new PrintStream(log, true, StandardCharsets.UTF_8);
    serving = CompletableFuture.runAsync(() -> {
      try {
        CidxMcpServer.serve(setup, serverIn, serverOut, err);
        serverOut.close();
      } catch (InterruptedException | IOException e) {
        throw new IllegalStateException(e);
      }
    });
    send(Map.of("jsonrpc", "2.0", "id", 1, "method", "initialize", "params", Map.of("protocolVersion", "2025-06-18",
        "capabilities", Map.of(), "clientInfo", Map.of("name", "test", "version", "1"))));
    assertThat(answer(1).path("result").path("serverInfo").path("name").asText()).isEqualTo("cidx");
    send(Map.of("jsonrpc", "2.0", "method", "notifications/initialized"));
  }

  @AfterEach
  void stop() throws Exception {
    toServer.close();
    serving.get(30, TimeUnit.SECONDS);
  }

  @Test
  void searchCode_runsOnTheThreadThatReadItsCall_andAnswersInOneLine() throws IOException {
    send(Map.of("jsonrpc", "2.0", "id", 2, "method", "tools/call", "params", Map.of("name", "search_code",
        "arguments", Map.of("query", "class B", "mode", "fts"))));

    JsonNode result = answer(2).path("result");
    assertThat(result.path("isError").asBoolean()).as(result.toString()).isFalse();
    assertThat(result.path("structuredContent").path("results").get(0).path("snippet").asText())
        .isEqualTo("class B {\n  int x;\r\n}");
    // No thread hand-off between reading the call and answering it (the SDK's transport and sync
    // server ran it on a worker of their own).
    assertThat(queryThread).isEqualTo("cidx-mcp-stdin");
  }

  @Test
  void badArguments_areAToolError_andTheServerKeepsServing() throws IOException {
    send(Map.of("jsonrpc", "2.0", "id", 3, "method", "tools/call", "params", Map.of("name", "search_code",
        "arguments", Map.of("query", "x", "mode", "fuzzy"))));
    assertThat(answer(3).path("result").path("isError").asBoolean()).isTrue();

    send(Map.of("jsonrpc", "2.0", "id", 4, "method", "tools/list"));
    assertThat(answer(4).path("result").path("tools")).hasSize(4);
  }

  @Test
  void aLineThatIsNotJson_isAnsweredWithAParseError_andTheServerKeepsServing() throws IOException {
    toServer.write("this is not json\n".getBytes(StandardCharsets.UTF_8));
    toServer.flush();
    JsonNode error = JSON.readTree(fromServer.readLine());
    assertThat(error.path("error").path("code").asInt()).isEqualTo(-32700);
    assertThat(error.get("id").isNull()).isTrue();

    send(Map.of("jsonrpc", "2.0", "id", 5, "method", "ping"));
    assertThat(answer(5).has("result")).isTrue();
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("not a JSON-RPC message");
  }

  private void send(Map<String, Object> message) throws IOException {
    toServer.write(JSON.writeValueAsBytes(message));
    toServer.write('\n');
    toServer.flush();
  }

  /** The next line with this id, each line checked to be one whole JSON message. */
  private JsonNode answer(int id) throws IOException {
    for (String line; (line = fromServer.readLine()) != null; ) {
      JsonNode message = JSON.readTree(line);
      if (message.path("id").asInt(-1) == id) {
        return message;
      }
    }
    throw new IOException("no answer with id " + id);
  }
}
