/**
 * What travels between the CLI and the daemon: query requests, hits and results as records, the
 * versions compared in the handshake, the daemon's method names ({@link dev.cidx.protocol.Methods}) with
 * their parameter and result records ({@link dev.cidx.protocol.Messages}), the JSON-RPC error codes
 * ({@link dev.cidx.protocol.ErrorCode}) and the newline-delimited framing
 * ({@link dev.cidx.protocol.JsonLines}). Shared by client and daemon so that neither depends on the other.
 *
 * <p>May import: the JDK and Jackson only. All types are immutable values except
 * {@link dev.cidx.protocol.JsonLines.Decoder}, which belongs to one connection and one thread.
 */
package dev.cidx.protocol;
