/**
 * What travels between the CLI and the daemon: query requests, hits and results as records, the
 * versions compared in the handshake, and the JSON-RPC error codes. Shared by client and daemon so that
 * neither depends on the other.
 *
 * <p>May import: the JDK and Jackson annotations only. All types are immutable values.
 */
package dev.cidx.protocol;
