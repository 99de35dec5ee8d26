/**
 * The index of one repository: which files are indexed ({@link dev.cidx.index.FileScanner}, git-aware),
 * how their text is read ({@code FileText}) and cut into chunks ({@link dev.cidx.index.Chunker}: on
 * declaration boundaries by {@code SyntaxChunker} where a tree-sitter grammar parses the file, else
 * line windows), chunk hashes, and the Lucene and HNSW storage of a committed index ({@link dev.cidx.index.IndexSnapshot}).
 *
 * <p>{@link dev.cidx.index.Indexer} is the one writer. A commit is a single Lucene commit whose user data
 * ({@link dev.cidx.index.CommitInfo}) names the vector files written just before it: an HNSW base and,
 * optionally, a small {@link dev.cidx.index.DeltaVectors} file of the vectors added since the base was
 * built. Readers see both indexes change together and a crash leaves the previous set intact. An
 * incremental commit writes only a new delta (its cost follows the change); the base is rebuilt when
 * {@code CompactionPolicy} says the delta or the base's dead entries have grown too large. Embeddings
 * are cached by chunk content hash in an append-only file, which makes re-runs incremental and
 * interrupted runs resumable.
 *
 * <p>The Lucene schema (field names, chunk and file documents) stays in this package: {@code search} asks
 * {@link dev.cidx.index.ChunkQueries} for the queries it filters and matches with, and reads a hit's
 * stored chunk as a {@link dev.cidx.index.StoredChunk}.
 *
 * <p>May import: {@code dev.cidx.config}, {@code dev.cidx.embed}, Lucene, hnswlib, tree-sitter
 * ({@code org.treesitter}, only in {@code TreeSitterGrammars} and {@code SyntaxChunker}) and JGit (only for
 * {@code .gitignore} matching where git itself cannot list files), and {@code dev.cidx.protocol} for
 * the version recorded in commits. Scanning and chunking types are
 * immutable or guard their own caches and are safe to share between threads.
 */
package dev.cidx.index;
