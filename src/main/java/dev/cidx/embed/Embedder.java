package dev.cidx.embed;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

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

  /**
   * Like {@link #embedDocuments(List)}, but stops soon after {@code cancelled} turns true (an
   * implementation checks it before each text) by throwing {@link CancellationException}: an index run
   * must stop within about a second, and a batch takes several on a busy machine.
   */
  default List<float[]> embedDocuments(List<String> texts, BooleanSupplier cancelled) {
    if (cancelled.getAsBoolean()) {
      throw new CancellationException("embedding cancelled");
    }
    return embedDocuments(texts);
  }

  /** Counts model tokens (without special tokens) so chunks can be sized to fit {@link EmbeddingModel#maxTokens()}. */
  TokenCounter tokenCounter();

  /** Releases the native session; a second call does nothing. */
  @Override
  void close();
}
