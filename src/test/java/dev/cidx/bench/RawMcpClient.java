package dev.cidx.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The least an MCP client can do over stdio: write one JSON-RPC line to the server's stdin, read lines from
 * its stdout until the answer with that id, on the calling thread. No reactor, no schemas, no threads of
 * its own, so a latency measured through it is the server's (and the pipes'), not a client library's.
 * For benchmarks only: it ignores server-to-client requests and notifications.
 */
final class RawMcpClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final OutputStream in;
  private final BufferedReader out;
  private long nextId = 1;

  /** Starts {@code command} with {@code env} added to this process's environment, and initializes it. */
  RawMcpClient(List<String> command, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().putAll(env);
    process = pb.start();
    in = process.getOutputStream();
    out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    request("initialize", Map.of("protocolVersion", "2025-06-18", "capabilities", Map.of(),
        "clientInfo", Map.of("name", "raw-bench", "version", "1")));
    send(Map.of("jsonrpc", "2.0", "method", "notifications/initialized"));
  }

  /** {@code tools/call} of {@code tool}; the result object, or an exception for a tool or protocol error. */
  JsonNode callTool(String tool, Map<String, Object> arguments) throws IOException {
    JsonNode result = request("tools/call", Map.of("name", tool, "arguments", arguments));
    if (result.path("isError").asBoolean(false)) {
      throw new IllegalStateException(tool + " failed: " + result.path("content"));
    }
    return result;
  }

  private JsonNode request(String method, Map<String, Object> params) throws IOException {
    long id = nextId++;
    send(Map.of("jsonrpc", "2.0", "id", id, "method", method, "params", params));
    for (String line; (line = out.readLine()) != null; ) {
      JsonNode message = JSON.readTree(line);
      if (message.path("id").asLong(-1) == id && !message.has("method")) {
        if (message.has("error")) {
          throw new IllegalStateException(method + ": " + message.get("error"));
        }
        return message.get("result");
      }
    }
    throw new IOException("the server closed its output before answering " + method);
  }

  private void send(Map<String, Object> message) throws IOException {
    byte[] line = JSON.writeValueAsBytes(message);
    byte[] framed = new byte[line.length + 1];
    System.arraycopy(line, 0, framed, 0, line.length);
    framed[line.length] = '\n';
    in.write(framed);
    in.flush();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    in.close(); // a stdio server's cue to stop
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroy();
    }
  }
}
