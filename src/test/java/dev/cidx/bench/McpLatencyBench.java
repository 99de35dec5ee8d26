package dev.cidx.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cidx.client.DaemonClient;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.SearchMode;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Warm {@code tools/call search_code} latency as an agent's MCP client sees it (the SDK's client, over
 * stdio to {@code bin/cidx mcp}, through the daemon), next to the same query sent straight to the
 * daemon's socket: with {@code limit} 10 (what {@code cidx query} asks) and with the limit {@code
 * search_code} really asks for (its page fetch, see {@code SearchCursor}). The three take turns, so a busy
 * machine slows them alike, and each gets its own queries, the thirds rotating over the paths (Javadoc sentences of the repository, as in
 * {@link QueryLatencyBench}): the daemon caches query vectors, so a query repeated on a second path would
 * skip the embedding the first one paid for. The daemon must be running with its cache loaded (bench/mcp.sh does that).
 *
 * <pre>
 * bench/mcp.sh REPO [QUERIES]
 * </pre>
 */
public final class McpLatencyBench {
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]).toAbsolutePath();
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Path home = Path.of(System.getProperty("cidx.home", "."));
    List<String> all = QueryLatencyBench.queries(root, 3 * n);
    int each = all.size() / 3;
    RepoPaths repo = new RepoPaths(root);
    ServerParameters params = ServerParameters.builder(home.resolve("bin/cidx").toString())
        .args("mcp", "--path", root.toString()).build();
    McpSyncClient mcp = McpClient.sync(new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper())))
        .requestTimeout(Duration.ofMinutes(2)).initializationTimeout(Duration.ofMinutes(2)).build();
    mcp.initialize();
    System.out.println("| mode | path | p50 ms | p99 ms | mean ms | queries |");
    System.out.println("|---|---|---|---|---|---|");
    try (DaemonClient socket = DaemonClient.connect(repo.socketPath())) {
      for (SearchMode mode : List.of(SearchMode.HYBRID, SearchMode.FTS)) {
        for (int i = 0; i < Math.min(10, each); i++) { // warm-up: JIT on both sides
          callTool(mcp, "warm " + all.get(i), mode);
          socket.query(QueryRequest.builder("warm " + all.get(i)).mode(mode).build());
        }
        double[] viaMcp = new double[each];
        double[] viaSocket = new double[each];
        double[] viaSocketFetch = new double[each];
        int fetch = Math.max(50, QueryRequest.DEFAULT_LIMIT * 5);
        for (int i = 0; i < each; i++) {
          String suffix = mode == SearchMode.HYBRID ? "" : " "; // a new text per mode: no cached vector either
          // The three thirds of the questions rotate over the paths, so each path asks every kind of question.
          String forMcp = all.get((i % 3) * each + i) + suffix;
          String forSocket = all.get(((i + 1) % 3) * each + i) + suffix;
          String forFetch = all.get(((i + 2) % 3) * each + i) + suffix;
          long t0 = System.nanoTime();
          callTool(mcp, forMcp, mode);
          long t1 = System.nanoTime();
          socket.query(QueryRequest.builder(forSocket).mode(mode).build());
          long t2 = System.nanoTime();
          socket.query(QueryRequest.builder(forFetch).mode(mode).limit(fetch).build());
          long t3 = System.nanoTime();
          viaMcp[i] = (t1 - t0) / 1e6;
          viaSocket[i] = (t2 - t1) / 1e6;
          viaSocketFetch[i] = (t3 - t2) / 1e6;
        }
        print(mode, "MCP tools/call search_code (limit 10)", viaMcp);
        print(mode, "daemon socket `query`, limit 10", viaSocket);
        print(mode, "daemon socket `query`, limit " + fetch + " (search_code's fetch)", viaSocketFetch);
      }
    } finally {
      mcp.closeGracefully();
    }
  }

  private static void callTool(McpSyncClient mcp, String q, SearchMode mode) {
    CallToolResult r = mcp.callTool(new CallToolRequest("search_code", Map.of("query", q, "mode", mode.wireName())));
    if (Boolean.TRUE.equals(r.isError())) {
      throw new IllegalStateException("search_code failed: " + r.content());
    }
  }

  private static void print(SearchMode mode, String path, double[] ms) {
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %d |%n", mode.wireName(), path,
        sorted[sorted.length / 2], sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)],
        Arrays.stream(sorted).average().orElse(0), sorted.length);
  }
}
