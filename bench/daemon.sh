#!/usr/bin/env bash
# Daemon against standalone, side by side in one run, on an indexed repository:
#   - cold start to first result (no daemon running: spawn, load model and index, answer)
#   - whole-process `cidx query` time, warm daemon vs standalone, per mode (hyperfine)
#   - server-side latency p50/p99 per mode (the daemon's own measurement, from `cidx daemon status`)
#   - throughput with 16 concurrent clients against one
#   - daemon memory (RSS, heap) with the cache loaded and after the cache is dropped
#
# usage: bench/daemon.sh REPO [RUNS]     (REPO indexed with `cidx init && cidx index`;
#        needs hyperfine and ripgrep: apt-get install hyperfine ripgrep)
set -euo pipefail
repo=$(cd "$1" && pwd)
runs=${2:-30}
cidx="$(cd "$(dirname "$0")/.." && pwd)/bin/cidx"
cd "$repo"
q_fts="http client timeout"
q_sem="wait for the response body to be fully received"
q_hyb="retry the request after a redirect"

daemon_json() { "$cidx" daemon status --json 2>/dev/null; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

"$cidx" stop >/dev/null 2>&1 || true
start=$(date +%s%N)
"$cidx" query "$q_hyb" -q >/dev/null
end=$(date +%s%N)
echo "cold start to first result (spawn + load + hybrid query): $(( (end - start) / 1000000 )) ms"

echo
echo "## whole-process time, warm daemon vs standalone"
for i in $(seq 10); do "$cidx" query "$q_hyb" -q >/dev/null; done
hyperfine -N -w 3 -r "$runs" --export-markdown /tmp/cidx-daemon-hyperfine.md \
  -n "fts, daemon" "$cidx query --fts '$q_fts' -q" \
  -n "fts, standalone" "env CIDX_NO_DAEMON=1 $cidx query --fts '$q_fts' -q" \
  -n "semantic, daemon" "$cidx query --semantic '$q_sem' -q" \
  -n "semantic, standalone" "env CIDX_NO_DAEMON=1 $cidx query --semantic '$q_sem' -q" \
  -n "hybrid, daemon" "$cidx query '$q_hyb' -q" \
  -n "hybrid, standalone" "env CIDX_NO_DAEMON=1 $cidx query '$q_hyb' -q" \
  -n "ripgrep, no index (same words, OR-ed)" "rg -n -i -w -e http -e client -e timeout ." >/dev/null
cat /tmp/cidx-daemon-hyperfine.md

echo
echo "## server-side latency per mode (${runs}0 queries each, fresh daemon per mode)"
echo "| mode | p50 ms | p99 ms |"
echo "|---|---|---|"
for mode in fts semantic hybrid; do
  "$cidx" daemon restart >/dev/null
  flag=""; [ "$mode" = fts ] && flag="--fts"; [ "$mode" = semantic ] && flag="--semantic"
  "$cidx" query $flag "warm up the cache" -q >/dev/null || true
  # Queries through one process each would measure the client again; ask the socket directly instead.
  python3 - "$repo" "$mode" "$(( runs * 10 ))" <<'EOF'
import json, socket, sys
repo, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
words = ["retry", "timeout", "header", "cookie", "websocket", "redirect", "stream", "body", "frame", "push"]
s = socket.socket(socket.AF_UNIX); s.connect(repo + "/.code-indexer/daemon.sock"); f = s.makefile("rwb")
for i in range(n):
    q = {"jsonrpc": "2.0", "id": i, "method": "query",
         "params": {"query": words[i % 10] + " handling " + str(i), "mode": mode, "limit": 10}}
    f.write((json.dumps(q) + "\n").encode()); f.flush(); json.loads(f.readline())
EOF
  status=$(daemon_json)
  echo "| $mode | $(echo "$status" | field "['query_p50_ms']") | $(echo "$status" | field "['query_p99_ms']") |"
done

echo
echo "## throughput: 16 concurrent clients against one (hybrid, through the daemon, 160 queries)"
seq 16 | xargs -P16 -I{} "$cidx" query "warm {}" -q >/dev/null || true
t0=$(date +%s%N)
for i in $(seq 160); do echo "$i"; done | xargs -P1 -I{} "$cidx" query "connection pool {}" -q >/dev/null || true
t1=$(date +%s%N)
for i in $(seq 160); do echo "$i"; done | xargs -P16 -I{} "$cidx" query "connection pool {}" -q >/dev/null || true
t2=$(date +%s%N)
awk -v a=$(( (t1 - t0) / 1000000 )) -v b=$(( (t2 - t1) / 1000000 )) 'BEGIN {
  printf "1 client:   160 queries in %d ms = %.1f queries/s\n16 clients: 160 queries in %d ms = %.1f queries/s\n", a, 160000/a, b, 160000/b }'

echo
echo "## daemon memory"
pid=$(daemon_json | field "['pid']")
echo "loaded:        RSS $(rss_mb "$pid") MiB, heap used $(daemon_json | field "['heap_used_mb']") MiB"
"$cidx" clear-cache >/dev/null
echo "cache dropped: RSS $(rss_mb "$pid") MiB, heap used $(daemon_json | field "['heap_used_mb']") MiB"
"$cidx" stop >/dev/null
