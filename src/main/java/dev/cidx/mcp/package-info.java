/**
 * {@code cidx mcp}: a Model Context Protocol server on stdio ({@link dev.cidx.mcp.CidxMcpServer}) that
 * gives coding agents cidx's search ({@code search_code}), guarded file reading ({@code read_code}), the
 * index's status ({@code index_status}) and incremental indexing ({@code reindex}), through the
 * repository's daemon like every other client, standalone when none can be reached.
 *
 * <p>Tool results are records; their output schemas are generated from those records ({@code
 * RecordSchemas}), so the schema a client validates against and the JSON it receives cannot drift
 * apart. Those records are {@code protocol}'s, the ones {@code cidx query --json}, {@code cidx index --json}
 * and {@code cidx status --json} print, wrapped only where a tool adds to them (a page of results).
 * Queries go through the one query path: tool arguments become a {@code protocol.QueryRequest}.
 *
 * <p>May import: {@code protocol}, {@code config}, {@code client}, {@code search} (the {@code
 * QueryService} interface), {@code index} (which files cidx indexes and what the index saw of one), the
 * MCP SDK (with Reactor, the type of its async API) and Jackson. Not {@code cli} or {@code daemon}: what only the command line knows (the daemon's
 * command line, the standalone query path, the status report) arrives in {@link dev.cidx.mcp.McpSetup}.
 *
 * <p>Threads: quick tools run on the thread that reads stdin, slow ones on the SDK's workers, possibly
 * concurrently (see {@link dev.cidx.mcp.CidxMcpServer}); queries share one daemon connection under a lock, other tools keep no mutable state but the cancellation registry, which
 * is concurrent. Nothing here writes to {@code System.out}.
 */
package dev.cidx.mcp;
