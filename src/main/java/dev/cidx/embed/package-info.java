/**
 * Turns text into vectors: with a local ONNX model ({@link dev.cidx.embed.OnnxEmbedder}) or a remote
 * provider ({@link dev.cidx.embed.RemoteEmbedder}: OpenAI-compatible, Ollama, VoyageAI, one small
 * {@code ProviderApi} class per wire format), both behind the {@link dev.cidx.embed.Embedder} interface;
 * {@link dev.cidx.embed.Embedders} opens the one config.json names, and
 * {@link dev.cidx.embed.EmbeddingIdentity} (provider, model, dimension) is what an index records. Also
 * the {@link dev.cidx.embed.EmbeddingModel} catalogue and {@link dev.cidx.embed.TokenCounter} for the
 * chunker, which sizes chunks with the local model's tokenizer whichever provider embeds them.
 *
 * <p>Owns: loading the model and its HuggingFace tokenizer from the class path (the langchain4j model
 * jars; nothing is downloaded), unpacking ONNX Runtime's, DJL's and JNA's native libraries once into
 * the per-user cache ({@code $XDG_CACHE_HOME/cidx}, or {@code -Dcidx.cache.dir}), pooling and
 * normalisation, and how embedding uses the cores; for remote providers, HTTP (the JDK's HttpClient),
 * batching, retries and the API key (read from the environment, never stored or logged). Public: the three
 * interfaces and enum above, {@code OnnxEmbedder}, {@code RemoteEmbedder}, {@code Embedders},
 * {@code EmbeddingIdentity}, {@code LazyEmbedder}, {@link dev.cidx.embed.EmbeddingException}, and
 * {@code NativeLibraries}' extraction into the private cache, which the index's tree-sitter grammars use
 * too; everything else is
 * package-private.
 *
 * <p>May import: the JDK, {@code dev.cidx.config}, ONNX Runtime ({@code ai.onnxruntime}) and DJL's
 * HuggingFace tokenizers ({@code ai.djl.huggingface.tokenizers}), Jackson for the providers' JSON. Nothing here knows about indexes,
 * search or the daemon.
 *
 * <p>Threads: an {@code OnnxEmbedder} is shared by all threads of a process. Queries run on the
 * caller's thread; {@code embedDocuments} fans one call out over one worker per core (daemon threads
 * named {@code cidx-embed-N}) and returns when all are done. Every run is single-threaded inside ONNX
 * Runtime, so a query during indexing competes as one more thread rather than waiting in a queue.
 * A {@code RemoteEmbedder} sends requests from up to {@code max_concurrency} daemon threads
 * ({@code cidx-remote-embed-N}) while the caller waits, polling its {@code cancelled} supplier.
 * {@code close()} waits for running calls and frees the native session; later calls throw
 * {@link java.lang.IllegalStateException}.
 */
package dev.cidx.embed;
