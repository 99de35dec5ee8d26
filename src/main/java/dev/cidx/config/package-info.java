/**
 * Where a repository's cidx state lives and what its settings are: repository discovery, the
 * {@code .code-indexer/} layout, the socket path with its fallback for long paths, and config.json; and
 * {@link dev.cidx.config.PrivateFiles}, the one way every package creates, writes and deletes cidx's own
 * files without following a link a repository may have planted.
 *
 * <p>May import: the JDK (including {@code com.sun.security.auth.module} for this process's uid) and
 * Jackson only. Everything else depends on this package. All types are
 * immutable and thread-safe.
 */
package dev.cidx.config;
