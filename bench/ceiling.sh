#!/usr/bin/env bash
# The indexing pipeline's ceiling: `cidx index --clear` (standalone) on REPO with an embedding provider
# that answers at once (dev.cidx.bench.InstantProvider, a loopback server speaking OpenAI's API), so
# what is measured is cidx's own work: scanning, chunking, Lucene, the embedding cache, HTTP and JSON,
# the vector files and the commits. Prints chunks/s end to end and the machine's load.
#
# usage: bench/ceiling.sh REPO [DIMENSION]
#   REPO: a git repository (e.g. `../shared/bench/corpus java.net.http /tmp/prov-nethttp`); its
#   .code-indexer/config.json is replaced with one naming the instant provider.
#   Needs `mvn -q package -DskipTests && mvn -q test-compile` first.
#   CEILING_JFR=1 records a JFR profile of the run in /tmp/cidx-ceiling.jfr.
set -euo pipefail
repo=$(cd "$1" && pwd)
dimension=${2:-384}
home="$(cd "$(dirname "$0")/.." && pwd)"
cidx="$home/bin/cidx"
export CIDX_NO_DAEMON=1
out=$(mktemp)
java -cp "$home/target/classes:$home/target/test-classes:$home/target/lib/*" dev.cidx.bench.InstantProvider \
  "$dimension" >"$out" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
url=$(head -1 "$out")
cd "$repo"
"$cidx" init --force --embedding-provider openai --embedding-base-url "$url" --embedding-model instant \
  --embedding-dimensions "$dimension" --embedding-api-key-env "" >/dev/null
if [ "${CEILING_JFR:-}" = 1 ]; then
  export JAVA_TOOL_OPTIONS="-XX:StartFlightRecording=filename=/tmp/cidx-ceiling.jfr,settings=profile"
fi
echo "load before: $(uptime)"
start=$(date +%s%N)
/usr/bin/time -f "cidx process CPU: %U s user + %S s sys, peak RSS %M KB" -o "$out.time" \
  "$cidx" index --clear --json >"$out.json"
end=$(date +%s%N)
unset JAVA_TOOL_OPTIONS
echo "load after:  $(uptime)"
python3 - "$out.json" "$(( (end - start) / 1000000 ))" <<'PY'
import json, sys
text = open(sys.argv[1]).read(); ms = int(sys.argv[2])
r = json.loads(text[text.index('{'):])  # JFR prints a line of its own first
print(f"files {r['files_indexed']}, chunks {r['chunks_total']}, embedded {r['chunks_embedded']}")
print(f"whole process: {ms / 1000:.1f} s -> {r['chunks_total'] / (ms / 1000):.0f} chunks/s end to end "
      f"(the run's own {r['seconds']:.1f} s -> {r['chunks_total'] / r['seconds']:.0f} chunks/s)")
PY
cat "$out.time"
rm -f "$out.json" "$out.time"
