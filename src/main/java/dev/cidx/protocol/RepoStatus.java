package dev.cidx.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.cidx.protocol.Messages.StatusResult;
import java.util.Objects;

/**
 * What {@code cidx status --json} prints and the MCP tool {@code index_status} returns: the repository,
 * the embedding provider and model config.json asks for, the index ({@link IndexSummary}) and the daemon
 * ({@link DaemonSection}). One record for both, so the schema MCP advertises is generated from exactly
 * what the command line prints.
 */
public record RepoStatus(
    @JsonProperty("repository") String repository,
    @JsonProperty("provider") String provider,
    @JsonProperty("model") String model,
    @JsonProperty("index") IndexSummary index,
    @JsonProperty("daemon") DaemonSection daemon,
    @JsonProperty("foreground_watch_pid") Long foregroundWatchPid) {

  public RepoStatus {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(daemon, "daemon");
  }

  /**
   * The committed index. Without one ({@code indexed} false) only {@code embedding_cache_bytes} is given
   * besides; with one, every field.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record IndexSummary(
      @JsonProperty("indexed") boolean indexed,
      @JsonProperty("files") Integer files,
      @JsonProperty("chunks") Integer chunks,
      @JsonProperty("embedded_chunks") Integer embeddedChunks,
      @JsonProperty("semantic_coverage") Double semanticCoverage,
      @JsonProperty("provider") String provider,
      @JsonProperty("model") String model,
      @JsonProperty("dimension") Integer dimension,
      @JsonProperty("last_indexed") String lastIndexed,
      @JsonProperty("size_bytes") Long sizeBytes,
      @JsonProperty("embedding_cache_bytes") long embeddingCacheBytes) {

    /** No index yet; the embedding cache may be there (an interrupted first run). */
    public static IndexSummary none(long embeddingCacheBytes) {
      return new IndexSummary(false, null, null, null, null, null, null, null, null, null, embeddingCacheBytes);
    }
  }

  /**
   * The daemon part: {@code enabled} (config.json's {@code daemon.enabled}), then the running daemon's own
   * {@code status} ({@link Running}), or what is known without one ({@link Absent}).
   */
  public sealed interface DaemonSection {
    boolean enabled();
  }

  public record Running(@JsonProperty("enabled") boolean enabled, @JsonUnwrapped StatusResult status)
      implements DaemonSection {
    public Running {
      Objects.requireNonNull(status, "status");
    }
  }

  public record Absent(@JsonProperty("enabled") boolean enabled, @JsonUnwrapped NoDaemon daemon)
      implements DaemonSection {
    public Absent {
      Objects.requireNonNull(daemon, "daemon");
    }
  }

  /**
   * What {@code cidx daemon status --json} prints when no daemon answers: {@code running} false, a null
   * {@code pid}, and where its socket would be.
   */
  public record NoDaemon(
      @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("running") boolean running,
      @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("pid") Void pid,
      @JsonProperty("socket_path") String socketPath,
      @JsonProperty("repo_root") String repoRoot) {

    public NoDaemon(String socketPath, String repoRoot) {
      this(false, null, socketPath, repoRoot);
    }

    public NoDaemon {
      if (running) {
        throw new IllegalArgumentException("running must be false for a daemon that does not answer");
      }
      Objects.requireNonNull(socketPath, "socket_path");
      Objects.requireNonNull(repoRoot, "repo_root");
    }
  }
}
