package dev.cidx.mcp;

import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** {@code index_status}: {@code cidx status --json}, from the same code; it never starts a daemon. */
final class IndexStatusTool {
  static final String NAME = "index_status";

  private final Supplier<Map<String, Object>> status;

  IndexStatusTool(Supplier<Map<String, Object>> status) {
    this.status = status;
  }

  static Tool definition() {
    return Tool.builder()
        .name(NAME)
        .title("Index status")
        .description("What is indexed (files, chunks, semantic coverage, model, size, last indexed) and the "
            + "daemon's state (running, watching, an index run in progress), as `cidx status --json`.")
        .inputSchema(Map.of("type", "object", "properties", Map.of(), "additionalProperties", false))
        .outputSchema(RecordSchemas.of(IndexStatus.class))
        .build();
  }

  CallToolResult call() {
    IndexStatus s;
    try {
      s = ToolResults.MAPPER.convertValue(status.get(), IndexStatus.class);
    } catch (RuntimeException e) {
      return ToolResults.error(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
    return ToolResults.success(s, text(s));
  }

  private static String text(IndexStatus s) {
    StringBuilder out = new StringBuilder("repository: ").append(s.repository()).append('\n');
    Map<String, Object> index = s.index();
    if (!Boolean.TRUE.equals(index.get("indexed"))) {
      out.append("index: none yet (call reindex, or run `cidx index`)\n");
    } else {
      out.append(String.format(Locale.ROOT, "index: %s files, %s chunks, semantic coverage %s, model %s, last indexed %s%n",
          index.get("files"), index.get("chunks"), index.get("semantic_coverage"), index.get("model"),
          index.get("last_indexed")));
    }
    Map<String, Object> daemon = s.daemon();
    out.append("daemon: ").append(Boolean.TRUE.equals(daemon.get("running")) ? "running, pid " + daemon.get("pid")
        : "not running").append(Boolean.FALSE.equals(daemon.get("enabled")) ? " (disabled in config.json)" : "")
        .append('\n');
    if (daemon.get("indexing") instanceof Map<?, ?> run) {
      out.append("indexing: ").append(run.get("phase")).append(", ").append(run.get("chunks_embedded")).append('/')
          .append(run.get("chunks_to_embed")).append(" chunks embedded\n");
    }
    if (daemon.get("watch") instanceof Map<?, ?> watch) {
      out.append("watch: ").append(Boolean.TRUE.equals(watch.get("active")) ? "active" : "off").append('\n');
    }
    return out.toString();
  }
}
