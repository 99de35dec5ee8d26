/**
 * Turns text into vectors with a local ONNX model: {@link dev.cidx.embed.OnnxEmbedder} behind the
 * {@link dev.cidx.embed.Embedder} interface, the {@link dev.cidx.embed.EmbeddingModel} catalogue, and
 * {@link dev.cidx.embed.TokenCounter} for the chunker.
 *
 * <p>Owns: loading the model and its HuggingFace tokenizer from the class path (the langchain4j model
 * jars; nothing is downloaded), unpacking ONNX Runtime's, DJL's and JNA's native libraries once into
 * the per-user cache ({@code $XDG_CACHE_HOME/cidx}, or {@code -Dcidx.cache.dir}), pooling and
 * normalisation, and how embedding uses the cores. Public: the three interfaces and enum above,
 * {@code OnnxEmbedder}, {@link dev.cidx.embed.EmbeddingException}, and {@code NativeLibraries}'
 * extraction into the private cache, which the index's tree-sitter grammars use too; everything else is
 * package-private.
 *
 * <p>May import: the JDK, {@code dev.cidx.config}, ONNX Runtime ({@code ai.onnxruntime}) and DJL's
 * HuggingFace tokenizers ({@code ai.djl.huggingface.tokenizers}). Nothing here knows about indexes,
 * search or the daemon.
 *
 * <p>Threads: an {@code OnnxEmbedder} is shared by all threads of a process. Queries run on the
 * caller's thread; {@code embedDocuments} fans one call out over one worker per core (daemon threads
 * named {@code cidx-embed-N}) and returns when all are done. Every run is single-threaded inside ONNX
 * Runtime, so a query during indexing competes as one more thread rather than waiting in a queue.
 * {@code close()} waits for running calls and frees the native session; later calls throw
 * {@link java.lang.IllegalStateException}.
 */
package dev.cidx.embed;
