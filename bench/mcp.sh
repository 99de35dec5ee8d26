#!/usr/bin/env bash
# Warm `tools/call search_code` latency from an MCP client (the SDK's, over stdio to `cidx mcp`), next to
# the same query on the daemon's socket, p50/p99 per mode: see src/test/java/dev/cidx/bench/McpLatencyBench.
#
# usage: bench/mcp.sh REPO [QUERIES]     (REPO indexed with `cidx init && cidx index`; run after
#        `mvn -B -q package -DskipTests` so target/test-classes holds the bench)
set -euo pipefail
repo=$(cd "$1" && pwd)
queries=${2:-200}
home="$(cd "$(dirname "$0")/.." && pwd)"
cidx="$home/bin/cidx"
(cd "$home" && mvn -B -q -o test-compile >/dev/null)
# A running daemon with its model and index loaded: the MCP server and the socket reach the same one.
(cd "$repo" && "$cidx" query "warm up the cache" -q >/dev/null) || true
java -Dcidx.home="$home" -cp "$home/target/classes:$home/target/test-classes:$home/target/lib/*" \
  dev.cidx.bench.McpLatencyBench "$repo" "$queries"
