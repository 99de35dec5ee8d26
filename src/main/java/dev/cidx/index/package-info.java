/**
 * The index of one repository: which files are indexed ({@link dev.cidx.index.FileScanner}, git-aware),
 * how their text is read ({@code FileText}) and cut into chunks ({@link dev.cidx.index.Chunker}), chunk
 * hashes, and the Lucene and HNSW storage of a committed index ({@link dev.cidx.index.IndexSnapshot}).
 *
 * <p>May import: {@code dev.cidx.config}, {@code dev.cidx.embed}, Lucene, hnswlib and JGit (only for
 * {@code .gitignore} matching where git itself cannot list files). Scanning and chunking types are
 * immutable or guard their own caches and are safe to share between threads.
 */
package dev.cidx.index;
