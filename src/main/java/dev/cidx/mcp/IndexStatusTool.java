package dev.cidx.mcp;

import dev.cidx.protocol.Messages.IndexProgressParams;
import dev.cidx.protocol.RepoStatus;
import dev.cidx.protocol.RepoStatus.IndexSummary;
import dev.cidx.protocol.RepoStatus.Running;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** {@code index_status}: {@code cidx status --json}, from the same code; it never starts a daemon. */
final class IndexStatusTool {
  static final String NAME = "index_status";

  private final Supplier<RepoStatus> status;

  IndexStatusTool(Supplier<RepoStatus> status) {
    this.status = status;
  }

  static Tool definition() {
    return Tool.builder()
        .name(NAME)
        .title("Index status")
        .description("What is indexed (files, chunks, semantic coverage, model, size, last indexed) and the "
            + "daemon's state (running, watching, an index run in progress), as `cidx status --json`.")
        .inputSchema(Map.of("type", "object", "properties", Map.of(), "additionalProperties", false))
        .outputSchema(RecordSchemas.of(RepoStatus.class))
        .build();
  }

  CallToolResult call() {
    RepoStatus s;
    try {
      s = status.get();
    } catch (RuntimeException e) {
      return ToolResults.error(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
    return ToolResults.success(s, text(s));
  }

  static String text(RepoStatus s) {
    StringBuilder out = new StringBuilder("repository: ").append(s.repository()).append('\n');
    IndexSummary index = s.index();
    if (!index.indexed()) {
      out.append("index: none yet (call reindex, or run `cidx index`)\n");
    } else {
      out.append(String.format(Locale.ROOT, "index: %d files, %d chunks, semantic coverage %s, model %s, last indexed %s%n",
          index.files(), index.chunks(), index.semanticCoverage(), index.model(), index.lastIndexed()));
    }
    out.append("daemon: ").append(s.daemon() instanceof Running r ? "running, pid " + r.status().pid() : "not running")
        .append(s.daemon().enabled() ? "" : " (disabled in config.json)").append('\n');
    if (s.daemon() instanceof Running r && r.status().indexing() != null) {
      IndexProgressParams run = r.status().indexing();
      out.append("indexing: ").append(run.phase()).append(", ").append(run.chunksEmbedded()).append('/')
          .append(run.chunksToEmbed()).append(" chunks embedded\n");
    }
    if (s.daemon() instanceof Running r && r.status().watch() != null) {
      out.append("watch: ").append(r.status().watch().active() ? "active" : "off").append('\n');
    }
    return out.toString();
  }
}
