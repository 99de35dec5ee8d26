package dev.cidx.embed;

import java.util.List;

/**
 * Turns text into unit-length vectors with a local model. Thread-safe: the daemon embeds queries from
 * many threads at once while it may also be indexing.
 */
public interface Embedder extends AutoCloseable {

  EmbeddingModel model();

  /** Embeds a search query, with the model's retrieval instruction prefixed when it has one. */
  float[] embedQuery(String text);

  /** Embeds documents (chunks) in batches; the result is in input order, each vector L2-normalized. */
  List<float[]> embedDocuments(List<String> texts);

  /** Counts model tokens (without special tokens) so chunks can be sized to fit {@link EmbeddingModel#maxTokens()}. */
  TokenCounter tokenCounter();

  /** Releases the native session; a second call does nothing. */
  @Override
  void close();
}
