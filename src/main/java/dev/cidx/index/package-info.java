/**
 * The index of one repository: which files are indexed ({@link dev.cidx.index.FileScanner}, git-aware),
 * how their text is read ({@code FileText}) and cut into chunks ({@link dev.cidx.index.Chunker}), chunk
 * hashes, and the Lucene and HNSW storage of a committed index ({@link dev.cidx.index.IndexSnapshot}).
 *
 * <p>{@link dev.cidx.index.Indexer} is the one writer. A commit is a single Lucene commit whose user data
 * ({@link dev.cidx.index.CommitInfo}) names the HNSW vector file written just before it, so readers see
 * both indexes change together and a crash leaves the previous pair intact. Embeddings are cached by
 * chunk content hash in an append-only file, which makes re-runs incremental and interrupted runs
 * resumable.
 *
 * <p>May import: {@code dev.cidx.config}, {@code dev.cidx.embed}, Lucene, hnswlib and JGit (only for
 * {@code .gitignore} matching where git itself cannot list files), and {@code dev.cidx.protocol} for
 * the version recorded in commits. Scanning and chunking types are
 * immutable or guard their own caches and are safe to share between threads.
 */
package dev.cidx.index;
