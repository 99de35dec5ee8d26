#!/usr/bin/env bash
# The first query after a commit against a warm one, server side (took_ms, the daemon's own time) and
# whole process, on an indexed repository with a running daemon:
#   1. warm the daemon with a few queries, then time warm queries;
#   2. append a comment line to one file, `cidx index` (through the daemon, which commits), and time the
#      first query right after, then the one after that;
#   3. the same through `cidx watch`: edit the file, wait until the daemon's status shows the update
#      committed, query at once.
# Each round is repeated ROUNDS times and the file restored at the end.
#
# usage: bench/refresh.sh REPO FILE [ROUNDS]   (FILE relative to REPO, a source file that is indexed)
set -euo pipefail
repo=$(cd "$1" && pwd)
file=$2
rounds=${3:-5}
cidx="${CIDX:-$(cd "$(dirname "$0")/.." && pwd)/bin/cidx}"
cd "$repo"
cp "$file" /tmp/cidx-refresh-bench.orig
trap 'cp /tmp/cidx-refresh-bench.orig "$file"; "$cidx" index >/dev/null 2>&1 || true' EXIT
q="retry the request after a redirect"

took() { "$cidx" query "$q" --json --limit 10 | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["took_ms"], 1))'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }

for i in 1 2 3 4 5; do took >/dev/null; done
echo "warm query, server side (took_ms): $(for i in 1 2 3 4 5; do took; done | tr '\n' ' ')"
echo "warm query, whole process ms:      $(for i in 1 2 3 4 5; do ms "$cidx" query "$q" -q; done | tr '\n' ' ')"
echo
echo "| round | cidx index ms | first query after, took_ms | whole process ms | second query took_ms |"
echo "|---|---|---|---|---|"
for r in $(seq "$rounds"); do
  echo "// refresh bench $r $(date +%s%N)" >> "$file"
  t_index=$(ms "$cidx" index)
  s=$(date +%s%N); first=$(took); e=$(date +%s%N)
  second=$(took)
  echo "| $r | $t_index | $first | $(( (e - s) / 1000000 )) | $second |"
done
grep -E "reopened|refreshed|snapshot" .code-indexer/daemon.log | tail -"$rounds" || true
