#!/usr/bin/env bash
# Warm `tools/call search_code` latency from two MCP clients (the SDK's, and a raw stdio one that only writes
# and reads lines), each over stdio to its own `cidx mcp`, next to the same questions on the daemon's socket,
# p50/p99 per mode and cache state: see src/test/java/dev/cidx/bench/McpLatencyBench. CIDX_JAVA_OPTS reaches
# both servers (e.g. -XX:StartFlightRecording=filename=/tmp/mcp-%p.jfr,settings=profile for a profile).
#
# usage: bench/mcp.sh REPO [QUERIES]     (REPO indexed with `cidx init && cidx index`; run after
#        `mvn -B -q package -DskipTests` so target/test-classes holds the bench)
#   MCP_COMPARE=LABEL=HOME[=JAVA_OPTS],...  also times servers of other builds in the same run, taking turns
#   (e.g. before=/tmp/base, a `git archive` of the commit before a change, built with `mvn package`)
set -euo pipefail
repo=$(cd "$1" && pwd)
queries=${2:-200}
home="$(cd "$(dirname "$0")/.." && pwd)"
cidx="$home/bin/cidx"
(cd "$home" && mvn -B -q -o test-compile >/dev/null)
# A running daemon with its model and index loaded: the MCP server and the socket reach the same one.
(cd "$repo" && "$cidx" query "warm up the cache" -q >/dev/null) || true
java -Dcidx.home="$home" ${MCP_COMPARE:+-Dmcp.compare="$MCP_COMPARE"} -cp "$home/target/classes:$home/target/test-classes:$home/target/lib/*" \
  dev.cidx.bench.McpLatencyBench "$repo" "$queries"
