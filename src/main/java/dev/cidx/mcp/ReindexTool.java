package dev.cidx.mcp;

import dev.cidx.client.DaemonClient;
import dev.cidx.client.DaemonControl;
import dev.cidx.client.DaemonRpcException;
import dev.cidx.client.DaemonStarter;
import dev.cidx.client.DaemonUnavailableException;
import dev.cidx.config.UnsafePathException;
import dev.cidx.protocol.Messages.IndexParams;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.protocol.Methods;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code reindex}: an incremental {@code cidx index} in the repository's daemon (started if needed), the
 * one writer of its index; joining the run in progress if there is one. Each {@code progress}
 * notification of the daemon becomes an MCP progress notification when the client sent a progress
 * token. When the client cancels the call, the daemon's run is cancelled with {@code index_cancel} (it
 * rolls back to its last commit, and the embeddings made so far are kept for the next run), and the call
 * answers with {@code cancelled: true}.
 */
final class ReindexTool {
  static final String NAME = "reindex";

  private final McpSetup setup;
  private final CancellableRequests cancellations;

  ReindexTool(McpSetup setup, CancellableRequests cancellations) {
    this.setup = setup;
    this.cancellations = cancellations;
  }

  static Tool definition() {
    return Tool.builder()
        .name(NAME)
        .title("Reindex")
        .description("Bring the index up to date with the working tree (incremental: only changed files are "
            + "read and embedded), in the repository's daemon. Sends progress notifications; cancelling the "
            + "call stops the run and keeps the last committed index.")
        .inputSchema(Map.of("type", "object", "properties", Map.of(), "additionalProperties", false))
        .outputSchema(RecordSchemas.of(IndexResult.class))
        .build();
  }

  CallToolResult call(McpSyncServerExchange exchange, CallToolRequest call) {
    if (!setup.useDaemon()) {
      return ToolResults.error("the daemon is disabled (config.json or CIDX_NO_DAEMON=1): run `cidx index` in a shell");
    }
    Object progressToken = call.meta() == null ? null : call.meta().get("progressToken");
    String id = CancellableRequests.requestId(call.meta());
    AtomicBoolean cancelled = new AtomicBoolean();
    cancellations.register(id, () -> {
      cancelled.set(true);
      DaemonControl.cancelIndex(setup.repo());
    });
    try (DaemonClient client = new DaemonStarter(setup.repo(), setup.config().daemon(), setup.daemonCommand()).connect()) {
      if (cancelled.get()) {
        return ToolResults.error("cancelled before the run started");
      }
      ProgressRelay relay = new ProgressRelay(exchange, progressToken);
      IndexResult result = client.index(new IndexParams(false), (method, params) -> {
        if (Methods.PROGRESS.equals(method) && params instanceof Map<?, ?> p) {
          relay.received(p);
        }
      });
      return ToolResults.success(result, text(result));
    } catch (DaemonRpcException e) {
      return ToolResults.error(e.getMessage());
    } catch (DaemonUnavailableException | UnsafePathException e) {
      return ToolResults.error("daemon unavailable (" + ToolResults.firstLine(e.getMessage())
          + "); run `cidx index` in a shell");
    } finally {
      cancellations.done(id);
    }
  }

  private static String text(IndexResult r) {
    return String.format(Locale.ROOT, "%s%d files scanned, %d indexed, %d deleted: %d chunks in the index, %d embedded, "
        + "%d reused (%.1f s)%n", r.cancelled() ? "cancelled: the last committed index stays in service; " : "",
        r.filesScanned(), r.filesIndexed(), r.filesDeleted(), r.chunksTotal(), r.chunksEmbedded(), r.chunksReused(),
        r.seconds());
  }

  /**
   * Turns the daemon's progress into MCP progress: files read plus chunks embedded, out of files to read
   * plus chunks to embed. MCP requires the value to grow with each notification, so one that would not
   * (a new phase recounting) is not sent.
   */
  private static final class ProgressRelay {
    private final McpSyncServerExchange exchange;
    private final Object token;
    private double last = -1;

    ProgressRelay(McpSyncServerExchange exchange, Object token) {
      this.exchange = exchange;
      this.token = token;
    }

    void received(Map<?, ?> p) {
      if (token == null) {
        return;
      }
      double done = number(p, "files_done") + number(p, "chunks_embedded");
      double total = number(p, "files_to_index") + number(p, "chunks_to_embed");
      if (done <= last) {
        return;
      }
      last = done;
      String message = String.format(Locale.ROOT, "%s: %d/%d files, %d/%d chunks embedded", p.get("phase"),
          (int) number(p, "files_done"), (int) number(p, "files_to_index"), (int) number(p, "chunks_embedded"),
          (int) number(p, "chunks_to_embed"));
      try {
        exchange.progressNotification(new ProgressNotification(token, done, total > 0 ? total : null, message));
      } catch (RuntimeException e) {
        // the client went away; the run's answer tells the rest
      }
    }

    private static double number(Map<?, ?> p, String key) {
      return p.get(key) instanceof Number n ? n.doubleValue() : 0;
    }
  }
}
