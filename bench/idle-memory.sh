#!/usr/bin/env bash
# An idle daemon's memory: a fresh daemon answers a hybrid and a full-text query (and, with --index, three
# incremental index runs on FILE first), then drops its cache; prints its RSS (and the file-backed or
# anonymous part) 1, 3, 6 and 9 s after the clear-cache. FILE is restored afterwards.
#
# usage: bench/idle-memory.sh REPO [--index FILE]     (REPO indexed; run after `mvn package`)
set -euo pipefail
repo=$(cd "$1" && pwd)
cidx="$(cd "$(dirname "$0")/.." && pwd)/bin/cidx"
cd "$repo"
"$cidx" stop >/dev/null 2>&1 || true
"$cidx" query "retry the request after a redirect" -q >/dev/null
"$cidx" query --fts "websocket handshake" -q >/dev/null
if [ "${2:-}" = --index ]; then
  file=$3 backup=$(mktemp)
  cp "$file" "$backup"
  trap 'cp "$backup" "$file"; rm -f "$backup"; "$cidx" index >/dev/null 2>&1 || true' EXIT
  for r in 1 2 3; do
    echo "// idle-memory round $r" >> "$file"
    "$cidx" index >/dev/null 2>&1
    "$cidx" query "retry the request after a redirect $r" -q >/dev/null
  done
  cp "$backup" "$file"
  "$cidx" index >/dev/null 2>&1
fi
pid=$("$cidx" daemon status --json | python3 -c "import json,sys; print(json.load(sys.stdin)['pid'])")
rss() { awk -v k="$1" '$1 == k ":" {printf "%d", $2 / 1024}' /proc/"$pid"/status; }
loaded=$(rss VmRSS)
"$cidx" clear-cache >/dev/null
out=""
for t in 1 2 3 3; do
  sleep "$t"
  out="$out $(rss VmRSS)/$(rss RssFile)/$(rss RssAnon)"
done
echo "loaded $loaded MiB; after clear-cache at 1, 3, 6, 9 s (RSS/file/anon MiB):$out"
