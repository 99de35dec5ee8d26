/**
 * Where a repository's cidx state lives and what its settings are: repository discovery, the
 * {@code .code-indexer/} layout, the socket path with its fallback for long paths, and config.json.
 *
 * <p>May import: the JDK and Jackson only. Everything else depends on this package. All types are
 * immutable and thread-safe.
 */
package dev.cidx.config;
