#!/usr/bin/env bash
# Cold start to first result, two builds interleaved on one indexed repository, so that the machine's
# load falls on both alike. Each run stops the daemon, then times a hybrid `cidx query` that has to
# spawn it, load the model and the index, and answer; the daemon log's "cache loaded in N ms" is
# printed beside it.
#
# usage: bench/cold-start.sh REPO RUNS CIDX_A [CIDX_B]   (CIDX_x: a bin/cidx launcher)
set -euo pipefail
repo=$1 runs=$2; shift 2
query='open a websocket connection and send a text message'
cd "$repo"
for ((i = 1; i <= runs; i++)); do
  for cidx in "$@"; do
    "$cidx" stop >/dev/null 2>&1 || true
    start=$(date +%s%N)
    "$cidx" query "$query" -q >/dev/null
    end=$(date +%s%N)
    loaded=$(grep -o 'cache loaded in [0-9]* ms' .code-indexer/daemon.log | tail -n 1 | grep -o '[0-9]*' || echo '?')
    echo "$cidx run $i: first result $(( (end - start) / 1000000 )) ms (daemon: cache loaded in $loaded ms)"
  done
done
for cidx in "$@"; do "$cidx" stop >/dev/null 2>&1 || true; done
