package dev.cidx.embed;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Turns text into unit-length vectors, with the local model or a remote provider. Thread-safe: the daemon
 * embeds queries from many threads at once while it may also be indexing.
 */
public interface Embedder extends AutoCloseable {

  /**
   * The local model: the one that embeds, for the local provider; for a remote provider, the one whose
   * tokenizer sizes chunks (see {@link #tokenCounter()}).
   */
  EmbeddingModel model();

  /** Provider, model and dimension of the vectors this embedder makes: what the index records. */
  default EmbeddingIdentity identity() {
    return EmbeddingIdentity.local(model());
  }

  /**
   * How many texts a caller should hand to {@link #embedDocuments(List, BooleanSupplier)} at once: enough
   * to keep this embedder busy (a remote provider sends {@code batch_size} of them per request and
   * several requests at a time), few enough that progress moves and a kill loses little.
   */
  default int documentsPerCall() {
    return 16;
  }

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

  /**
   * Counts the local model's tokens (without special tokens) so chunks can be sized to fit
   * {@link EmbeddingModel#maxTokens()}. Remote providers size chunks with the same local tokenizer: their
   * own tokenizers are not available offline, and their per-input limits (8,191 tokens at OpenAI, 32,000
   * at VoyageAI, the model's context at Ollama) are far above a chunk sized for 512.
   */
  TokenCounter tokenCounter();

  /** Releases the native session; a second call does nothing. */
  @Override
  void close();
}
