package dev.cidx.mcp;

import dev.cidx.config.UnsafePathException;
import dev.cidx.protocol.JsonLines;
import dev.cidx.protocol.Version;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServerFeatures.AsyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Implementation;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code cidx mcp}: an MCP server on stdio for one repository, built on the official SDK. Its tools:
 * {@link SearchCodeTool search_code}, {@link ReadCodeTool read_code}, {@link IndexStatusTool index_status}
 * and {@link ReindexTool reindex}.
 *
 * <p>Serving, in steps: 1. wrap stdin so tool calls can be cancelled ({@link CancellableRequests});
 * 2. start the SDK's server on our stdio transport ({@link StdioLineTransport}), over it and the protocol
 * stream; 3. serve until stdin ends (the client's way of stopping a stdio server); 4. close the server,
 * then the daemon connection. Only
 * protocol messages go to {@code protocol}; the caller points {@code System.out} elsewhere first, so
 * nothing a library prints can corrupt the stream.
 *
 * <p>Every tool answers a failure as a tool error in one line, the CLI's wording, whatever was thrown.
 *
 * <p>Threads: {@code search_code} and {@code read_code} run on the thread that read their call, so a warm
 * search wakes no other thread of this process between its request and its answer; {@code reindex} and
 * {@code index_status} run on the SDK's workers, leaving stdin free (a reindex's cancellation must get
 * through while it runs).
 */
public final class CidxMcpServer {
  private static final String INSTRUCTIONS = "cidx searches this repository's code: by meaning (semantic), by "
      + "exact words and identifiers (fts), or both fused (hybrid, the default). Use search_code to find code, "
      + "read_code to read more of a file it found, index_status to see what is indexed, and reindex after "
      + "large changes.";

  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private CidxMcpServer() {}

  /** Serves until {@code in} ends. {@code log} is stderr: nothing but the protocol reaches {@code protocol}. */
  public static void serve(McpSetup setup, InputStream in, OutputStream protocol, PrintStream log)
      throws InterruptedException {
    Logger.getLogger("io.modelcontextprotocol").setLevel(Level.WARNING);
    Logger.getLogger("reactor").setLevel(Level.WARNING);
    // 1. stdin, with cancellations taken out and tool calls tagged with their ids.
    CancellableRequests cancellations = new CancellableRequests();
    McpJsonMapper json = new JacksonMcpJsonMapper(JsonLines.MAPPER.copy());
    StdioLineTransport transport = new StdioLineTransport(json, cancellations.filter(in), protocol, log);
    DaemonFirstQueries queries = new DaemonFirstQueries(setup, log);
    SearchCodeTool search = new SearchCodeTool(queries);
    ReadCodeTool read = new ReadCodeTool(setup);
    IndexStatusTool status = new IndexStatusTool(setup.status());
    ReindexTool reindex = new ReindexTool(setup, cancellations);
    // 2. the server and its tools.
    McpAsyncServer server = McpServer.async(transport)
        .serverInfo(new Implementation("cidx", "cidx", Version.CIDX))
        .instructions(INSTRUCTIONS)
        .jsonMapper(json)
        .jsonSchemaValidator(new RecordOutputValidator(new DefaultJsonSchemaValidator(JsonLines.MAPPER.copy())))
        // Arguments are bound strictly into the very records their input schemas are generated from
        // (ToolResults.arguments): unknown names, wrong types and bad enum values are refused there, with
        // the record's own message. Validating the schema again first cost 4 ms of a 13 ms call (bench/mcp.sh).
        .validateToolInputs(false)
        .capabilities(ServerCapabilities.builder().tools(false).build())
        .tools(List.of(
            tool(SearchCodeTool.definition(), true, (exchange, call) -> search.call(call)),
            tool(ReadCodeTool.definition(), true, (exchange, call) -> read.call(call)),
            tool(IndexStatusTool.definition(), false, (exchange, call) -> status.call()),
            tool(ReindexTool.definition(), false, reindex::call)))
        .build();
    // 3. serve until the client closes stdin.
    try {
      cancellations.closed().await();
    } finally {
      // 4. stop answering, then drop the daemon connection (the daemon stays for other clients).
      server.closeGracefully().block(CLOSE_WAIT);
      queries.close();
    }
  }

  /** The tools in their advertised form, for {@code tools/list} checks and documentation. */
  static List<Tool> tools() {
    return List.of(SearchCodeTool.definition(), ReadCodeTool.definition(), IndexStatusTool.definition(),
        ReindexTool.definition());
  }

  /**
   * A tool whose handler runs on the thread that read its call ({@code quick}: answered in milliseconds,
   * no thread to wake) or on a worker ({@code reindex} runs for minutes, and stdin must stay free to read
   * its cancellation; {@code index_status} walks the working tree).
   */
  private static AsyncToolSpecification tool(Tool definition, boolean quick,
      BiFunction<McpSyncServerExchange, CallToolRequest, CallToolResult> handler) {
    return AsyncToolSpecification.builder().tool(definition).callHandler((exchange, call) -> {
      Mono<CallToolResult> answer = Mono.fromCallable(() -> guarded(handler, new McpSyncServerExchange(exchange), call));
      return quick ? answer : answer.subscribeOn(Schedulers.boundedElastic());
    }).build();
  }

  private static CallToolResult guarded(BiFunction<McpSyncServerExchange, CallToolRequest, CallToolResult> handler,
      McpSyncServerExchange exchange, CallToolRequest call) {
    try {
      return handler.apply(exchange, call);
    } catch (UnsafePathException | IllegalArgumentException e) {
      return ToolResults.error(e.getMessage());
    } catch (RuntimeException e) {
      // A bug: one line with its type, as the CLI prints one; the details stay out of the agent's context.
      String message = e.getMessage() == null ? "" : ": " + ToolResults.firstLine(e.getMessage());
      return ToolResults.error("unexpected " + e.getClass().getSimpleName() + message);
    }
  }
}
