package dev.cidx.index;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cidx.protocol.Messages.IndexResult;

/**
 * What one `cidx index` run did; `cidx index --json` prints it. {@code filesIndexed} counts files
 * (re)chunked in this run; {@code chunksReused} counts chunks whose embedding was already known.
 */
public record IndexRun(
    @JsonProperty("files_scanned") int filesScanned,
    @JsonProperty("files_indexed") int filesIndexed,
    @JsonProperty("files_changed") int filesChanged,
    @JsonProperty("files_deleted") int filesDeleted,
    @JsonProperty("chunks_total") int chunksTotal,
    @JsonProperty("chunks_embedded") int chunksEmbedded,
    @JsonProperty("chunks_reused") int chunksReused,
    @JsonProperty("seconds") double seconds,
    @JsonProperty("committed") boolean committed,
    @JsonProperty("cancelled") boolean cancelled) {

  /** The run as the wire and `cidx index --json` report it, saying where it ran ({@code via}). */
  public IndexResult toResult(String via) {
    return new IndexResult(filesScanned, filesIndexed, filesChanged, filesDeleted, chunksTotal, chunksEmbedded,
        chunksReused, seconds, committed, cancelled, via);
  }
}
