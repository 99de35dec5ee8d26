/**
 * Answers queries: semantic, full-text and hybrid search, their fusion, language and path filters, and
 * the snippets and matched terms shown with each hit. Results are {@code protocol} hits.
 *
 * <p>Full-text search ({@link dev.cidx.search.FullTextSearch}) scores chunk documents with BM25 over
 * text analyzed by {@link dev.cidx.index.CodeAnalyzer}; {@link dev.cidx.search.ChunkFilter} restricts
 * both searches with one glob implementation, {@link dev.cidx.search.PathGlob}.
 *
 * <p>May import: {@code index}, {@code embed}, {@code protocol}, {@code config}, Lucene and HNSW.
 *
 * <p>Threads: every type here is immutable, stateless or (like {@link dev.cidx.search.Searcher}'s recent
 * answers) synchronized, and safe for concurrent queries. A query
 * borrows its searcher from the index snapshot and releases it when done; nothing in this package keeps
 * a searcher or reader beyond one query.
 */
package dev.cidx.search;
