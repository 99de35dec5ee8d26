#!/usr/bin/env bash
# Big repository timeline: how long after `cidx index --clear` starts does `cidx query --fts` answer,
# and how does semantic coverage grow while the embedding pass runs.
#
# usage: bench/fulltext-first.sh REPO [EMBED_SECONDS]
#   REPO: a git repository (e.g. `../shared/bench/corpus java.base /tmp/jb` then /tmp/jb);
#   EMBED_SECONDS: how long to let the embedding pass run before stopping it (default 180).
# Standalone (CIDX_NO_DAEMON=1) so the timeline is the indexer's own; stops the run at the end with
# SIGTERM (a background job of a script ignores SIGINT).
set -euo pipefail
repo=$(cd "$1" && pwd)
embed_seconds=${2:-180}
cidx="$(cd "$(dirname "$0")/.." && pwd)/bin/cidx"
export CIDX_NO_DAEMON=1
cd "$repo"
[ -d .code-indexer ] || "$cidx" init >/dev/null
word=$(git ls-files '*.java' | sed -n '1{s|.*/||;s|\.java$||;p}')
log=$(mktemp)
start=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - start) / 1000000 )); }
"$cidx" index --clear 2>"$log" >/dev/null &
run=$!
ready=""
while kill -0 "$run" 2>/dev/null; do
  if [ -z "$ready" ] && grep -q "full-text search covers every file" "$log"; then
    ready=$(ms)
    # The process's CPU so far (user + sys): what a busy machine inflates least.
    read -r -a stat < "/proc/$run/stat"
    echo "full-text commit announced: ${ready} ms (CPU so far $(( (stat[13] + stat[14]) * 1000 / $(getconf CLK_TCK) )) ms, load $(cut -d' ' -f1 /proc/loadavg))"
  fi
  if [ -n "$ready" ] && "$cidx" query --fts "$word" -q >/dev/null 2>&1; then
    echo "first --fts answer (\`cidx query --fts $word\`): $(ms) ms after \`cidx index --clear\` started"
    break
  fi
  sleep 0.5
done
files=$(git ls-files | wc -l)
echo "repository: $files files"
end=$(( $(date +%s) + embed_seconds ))
while kill -0 "$run" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do
  sleep 30
  "$cidx" status --json | python3 -c "import json,sys; i=json.load(sys.stdin)['index']; \
print(f\"{$(ms)/1000:.0f} s: semantic coverage {i['semantic_coverage']*100:.1f} % ({i['embedded_chunks']}/{i['chunks']} chunks)\")"
done
kill -TERM "$run" 2>/dev/null || true
wait "$run" 2>/dev/null || true
grep -E '^indexing: .*chunks embedded' "$log" | tail -1 || true
rm -f "$log"
