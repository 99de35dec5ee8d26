package dev.cidx.index;

import dev.cidx.embed.EmbeddingIdentity;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a Lucene commit records about the whole index, in its user data: the provider, model and
 * dimension of the vectors, and the vector files that belong to this commit: the HNSW base ({@code vectors}) and, when
 * the commit added vectors since the base was built, the delta ({@code vectors_delta}, see
 * {@link DeltaVectors}). Naming the vector files inside the Lucene commit is what makes the two indexes
 * change together: a reader opening a commit loads exactly its vectors, and a crash before the commit
 * leaves the previous set in place. A commit written before deltas existed simply has no delta.
 */
public record CommitInfo(String provider, String model, int dimension, String vectorsFile, Optional<String> deltaFile,
    Instant indexedAt, int files, int chunks, int embeddedChunks, String cidxVersion) {

  /** Absent in commits from before remote providers, which were all local. */
  static final String PROVIDER = "provider";
  static final String MODEL = "model";
  static final String DIMENSION = "dimension";
  static final String VECTORS = "vectors";
  static final String VECTORS_DELTA = "vectors_delta";
  static final String INDEXED_AT = "indexed_at";
  static final String FILES = "files";
  static final String CHUNKS = "chunks";
  /** Chunks with a vector; absent in commits from before full-text-first runs, which embedded every chunk. */
  static final String EMBEDDED_CHUNKS = "embedded_chunks";
  static final String CIDX_VERSION = "cidx_version";

  public CommitInfo {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(vectorsFile, "vectorsFile");
    Objects.requireNonNull(deltaFile, "deltaFile");
    if (embeddedChunks < 0 || embeddedChunks > chunks) {
      throw new IllegalArgumentException("embeddedChunks (" + embeddedChunks + ") must be within 0.." + chunks);
    }
  }

  /**
   * The share of chunks semantic search can find (1 when every chunk has a vector). Below 1 after a run
   * that committed full text first and was stopped, or while one is still embedding.
   */
  public double semanticCoverage() {
    return chunks == 0 ? 1.0 : (double) embeddedChunks / chunks;
  }

  /** What made the commit's vectors. */
  public EmbeddingIdentity identity() {
    return new EmbeddingIdentity(provider, model, dimension);
  }

  /** Whether every chunk has its vector. */
  public boolean fullyEmbedded() {
    return embeddedChunks == chunks;
  }

  Map<String, String> toUserData() {
    Map<String, String> m = new HashMap<>();
    m.put(PROVIDER, provider);
    m.put(MODEL, model);
    m.put(DIMENSION, Integer.toString(dimension));
    m.put(VECTORS, vectorsFile);
    deltaFile.ifPresent(d -> m.put(VECTORS_DELTA, d));
    m.put(INDEXED_AT, indexedAt.toString());
    m.put(FILES, Integer.toString(files));
    m.put(CHUNKS, Integer.toString(chunks));
    m.put(EMBEDDED_CHUNKS, Integer.toString(embeddedChunks));
    m.put(CIDX_VERSION, cidxVersion);
    return m;
  }

  /** Parses commit user data; a commit without it (not written by cidx, or damaged) is rejected. */
  static CommitInfo fromUserData(Map<String, String> data) throws IndexDamagedException {
    try {
      int chunks = Integer.parseInt(require(data, CHUNKS));
      String embedded = data.get(EMBEDDED_CHUNKS);
      return new CommitInfo(data.getOrDefault(PROVIDER, EmbeddingIdentity.LOCAL), require(data, MODEL), Integer.parseInt(require(data, DIMENSION)),
          require(data, VECTORS), Optional.ofNullable(data.get(VECTORS_DELTA)),
          Instant.parse(require(data, INDEXED_AT)), Integer.parseInt(require(data, FILES)), chunks,
          embedded == null ? chunks : Integer.parseInt(embedded), data.getOrDefault(CIDX_VERSION, "unknown"));
    } catch (RuntimeException e) {
      throw new IndexDamagedException("the index commit metadata is unreadable (" + e.getMessage() + ")", e);
    }
  }

  private static String require(Map<String, String> data, String key) {
    String v = data.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing " + key);
    }
    return v;
  }
}
