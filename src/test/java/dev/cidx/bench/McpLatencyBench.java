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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Warm {@code tools/call search_code} latency as an agent's MCP client sees it, over stdio to {@code
 * bin/cidx mcp} and through the daemon, next to the same query sent straight to the daemon's socket with
 * the limit {@code search_code} really asks for (its page fetch, see {@code SearchCursor}). Two MCP clients,
 * each with its own server process: the SDK's ({@link McpSyncClient} over {@link StdioClientTransport}) and
 * {@link RawMcpClient}, which writes and reads lines on the calling thread, so the difference between the
 * two is the SDK client's own cost and what is left over the socket is the server's.
 *
 * <p>Every path asks the SAME questions (Javadoc sentences of the repository, as in {@link
 * QueryLatencyBench}), in a known cache state, and the order of the three paths rotates through all six
 * permutations from one question to the next:
 * <ul>
 *   <li>new answer: the question is asked once on the socket with another limit first (untimed), so its
 *       query vector is cached for every path and no path pays the embedding; then each path asks a
 *       request the daemon has not answered yet. The three requests differ only in {@code min_score}
 *       (none, 1e-9, 0), which drops nothing (every fused and BM25 score is above it) but keeps the
 *       daemon's recent-answers cache from answering the second and third path from the first one's search.
 *   <li>asked again: each path repeats its own request at once, so the daemon answers all three from its
 *       recent answers and the time left is the path itself.
 * </ul>
 * The daemon must be running with its cache loaded (bench/mcp.sh does that). {@code CIDX_JAVA_OPTS} in
 * the environment reaches every server process (for a JFR profile, say).
 *
 * <p>Before and after in one run: {@code -Dmcp.compare=LABEL=HOME[=JAVA_OPTS],...} adds, per entry, both
 * clients to a server started from another cidx build ({@code HOME/bin/cidx}, e.g. the commit before a
 * change), optionally with JVM options of its own, taking turns with the rest question by question.
 *
 * <pre>
 * bench/mcp.sh REPO [QUERIES]
 * </pre>
 */
public final class McpLatencyBench {
  /** One way to ask a question, timed from the client's side. */
  private interface Asker {
    /** Milliseconds for {@code q}; {@code key} (distinct per asker) keeps the daemon's answers apart. */
    double ask(String q, SearchMode mode, double key) throws Exception;
  }

  private record Named(String label, Asker asker) {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]).toAbsolutePath();
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Path home = Path.of(System.getProperty("cidx.home", "."));
    List<String> questions = QueryLatencyBench.queries(root, n + 20);
    List<String> warmUp = questions.subList(questions.size() - Math.min(20, questions.size() / 2), questions.size());
    questions = questions.subList(0, questions.size() - warmUp.size());
    RepoPaths repo = new RepoPaths(root);
    List<AutoCloseable> open = new ArrayList<>();
    List<Named> paths = new ArrayList<>();
    try {
      addServer(paths, open, "", home, System.getenv("CIDX_JAVA_OPTS"), root);
      String compare = System.getProperty("mcp.compare", "");
      for (String entry : compare.isBlank() ? new String[0] : compare.split(",")) {
        String[] f = entry.split("=", 3);
        addServer(paths, open, ", " + f[0], Path.of(f[1]), f.length > 2 ? f[2] : System.getenv("CIDX_JAVA_OPTS"), root);
      }
      DaemonClient socket = DaemonClient.connect(repo.socketPath());
      open.add(socket);
      paths.add(new Named("daemon socket `query`", (q, mode, key) -> {
        long t0 = System.nanoTime();
        socket.query(QueryRequest.builder(q).mode(mode).limit(fetch()).minScore(key).build());
        return (System.nanoTime() - t0) / 1e6;
      }));
      System.out.printf(Locale.ROOT, "load average before: %s%n", loadAverage());
      System.out.println("| mode | state | path | p50 ms | p99 ms | mean ms | p50 over socket | queries |");
      System.out.println("|---|---|---|---|---|---|---|---|");
      int k = paths.size();
      for (SearchMode mode : List.of(SearchMode.HYBRID, SearchMode.FTS)) {
        for (int round = 0; round < 2; round++) { // warm-up: JIT on all sides, both states
          for (String q : warmUp) {
            for (int j = 0; j < k; j++) {
              paths.get(j).asker().ask(q + " warm" + round, mode, key(j));
            }
          }
        }
        double[][] fresh = new double[k][questions.size()];
        double[][] again = new double[k][questions.size()];
        for (int i = 0; i < questions.size(); i++) {
          String q = questions.get(i);
          socket.query(QueryRequest.builder(q).mode(mode).limit(3).build()); // caches its vector for all
          for (int j : order(i, k)) {
            fresh[j][i] = paths.get(j).asker().ask(q, mode, key(j));
          }
          for (int j : order(i, k)) {
            again[j][i] = paths.get(j).asker().ask(q, mode, key(j));
          }
        }
        print(mode, "new answer", paths, fresh);
        print(mode, "asked again", paths, again);
      }
      System.out.printf(Locale.ROOT, "load average after: %s%n", loadAverage());
    } finally {
      Collections.reverse(open);
      for (AutoCloseable c : open) {
        c.close();
      }
    }
  }

  /** Both clients, each with its own {@code cidx mcp} from {@code home}. */
  private static void addServer(List<Named> paths, List<AutoCloseable> open, String suffix, Path home,
      String javaOpts, Path root) throws Exception {
    String cidx = home.resolve("bin/cidx").toString();
    Map<String, String> env = new HashMap<>();
    env.put("CIDX_JAVA_OPTS", javaOpts == null ? "" : javaOpts);
    ServerParameters params = ServerParameters.builder(cidx).args("mcp", "--path", root.toString()).env(env).build();
    McpSyncClient sdk = McpClient.sync(new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper())))
        .requestTimeout(Duration.ofMinutes(2)).initializationTimeout(Duration.ofMinutes(2)).build();
    sdk.initialize();
    open.add(sdk::closeGracefully);
    RawMcpClient raw = new RawMcpClient(List.of(cidx, "mcp", "--path", root.toString()), env);
    open.add(raw);
    paths.add(new Named("MCP, SDK client" + suffix, (q, mode, key) -> {
      long t0 = System.nanoTime();
      CallToolResult r = sdk.callTool(new CallToolRequest("search_code", arguments(q, mode, key)));
      double ms = (System.nanoTime() - t0) / 1e6;
      if (Boolean.TRUE.equals(r.isError())) {
        throw new IllegalStateException("search_code failed: " + r.content());
      }
      return ms;
    }));
    paths.add(new Named("MCP, raw stdio client" + suffix, (q, mode, key) -> {
      long t0 = System.nanoTime();
      raw.callTool("search_code", arguments(q, mode, key));
      return (System.nanoTime() - t0) / 1e6;
    }));
  }

  private static Map<String, Object> arguments(String q, SearchMode mode, double key) {
    return key == 0 ? Map.of("query", q, "mode", mode.wireName())
        : Map.of("query", q, "mode", mode.wireName(), "min_score", key);
  }

  /**
   * Asker {@code j}'s {@code min_score}: 0 (none) for the first, then 1e-9, 2e-9, ...: below every fused
   * and BM25 score, so nothing is dropped, but each asker's request is its own to the daemon's cache.
   */
  private static double key(int j) {
    return j * 1e-9;
  }

  /** Question {@code i}'s order of the {@code k} askers: rotated by one each question, reversed every other round. */
  private static int[] order(int i, int k) {
    int[] out = new int[k];
    boolean reversed = (i / k) % 2 == 1;
    for (int j = 0; j < k; j++) {
      int p = (i + j) % k;
      out[reversed ? k - 1 - j : j] = p;
    }
    return out;
  }

  /** What search_code fetches for its first page at the default limit (SearchCodeTool.fetchSize). */
  private static int fetch() {
    return Math.min(QueryRequest.MAX_LIMIT, Math.max(50, QueryRequest.DEFAULT_LIMIT * 5));
  }

  private static void print(SearchMode mode, String state, List<Named> paths, double[][] ms) {
    int socket = paths.size() - 1;
    double socketP50 = percentile(ms[socket], 0.5);
    for (int j = 0; j < paths.size(); j++) {
      double[] sorted = ms[j].clone();
      Arrays.sort(sorted);
      double p50 = percentile(sorted, 0.5);
      String gap = j == socket ? "" : String.format(Locale.ROOT, "+%.1f", p50 - socketP50);
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %.1f | %.1f | %.1f | %s | %d |%n", mode.wireName(), state,
          paths.get(j).label(), p50, percentile(sorted, 0.99), Arrays.stream(sorted).average().orElse(0), gap,
          sorted.length);
    }
  }

  private static double percentile(double[] values, double q) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))];
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return String.join(" ", List.of(f).subList(0, 3));
    } catch (Exception e) {
      return "unknown";
    }
  }
}
