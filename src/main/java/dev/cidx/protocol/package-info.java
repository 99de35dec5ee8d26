/**
 * What travels between the CLI and the daemon: query requests, hits and results as records, the
 * versions compared in the handshake, the daemon's method names ({@link dev.cidx.protocol.Methods}) with
 * their parameter and result records ({@link dev.cidx.protocol.Messages}), the JSON-RPC error codes
 * ({@link dev.cidx.protocol.ErrorCode}) and the newline-delimited framing
 * ({@link dev.cidx.protocol.JsonLines}). Shared by client and daemon so that neither depends on the other.
 *
 * <p>Each message is one record here, and every consumer writes it from that record: the daemon's
 * JSON-RPC, the CLI's {@code --json} (results, index runs, progress, daemon status, and
 * {@link dev.cidx.protocol.RepoStatus} for {@code cidx status}) and the MCP server's structured content,
 * whose output schemas are generated from the same records. Only the client's request params are also
 * written by hand ({@link dev.cidx.protocol.StreamingCodec}: databind costs a short-lived client more
 * than its whole query); {@code StreamingCodecTest} holds each to what databind writes of its record.
 *
 * <p>May import: the JDK and Jackson only. All types are immutable values except
 * {@link dev.cidx.protocol.JsonLines.Decoder}, which belongs to one connection and one thread.
 */
package dev.cidx.protocol;
