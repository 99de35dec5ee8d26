#!/usr/bin/env bash
# Where a cold start's time goes: like bench/cold-start.sh (each run stops the daemon, then times a hybrid
# `cidx query` that spawns it), with each (REPO, CIDX) pair taking turns so load falls on all alike, and
# the run split by the daemon log's lines:
#   client   from the command's start to the daemon process's start (client JVM, repo lookup, spawn)
#   loaded   from the daemon process's start to its cache loaded; within it, "serving" is when the socket
#            was bound ("serving N ms after the process started") and "load" the cache load itself
#            ("cache loaded in N ms": the model and the index in parallel, begun once the lock is taken,
#            so it overlaps the socket's set-up), with the index's parts ("index opened: Lucene ..,
#            delta .., tables .., HNSW base ..") and the model's
#   query    from the cache loaded to the client's exit (embedding the query, search, output)
# Needs a build whose daemon logs those lines (the "old" side of an A/B prints '?' for what it lacks).
#
# usage: bench/cold-start-breakdown.sh RUNS REPO_A CIDX_A [REPO_B CIDX_B ...]   (CIDX_x: an absolute path)
set -euo pipefail
runs=$1; shift
query='open a websocket connection and send a text message'
ms() { date -d "$1" +%s%3N; }
for ((i = 1; i <= runs; i++)); do
  args=("$@")
  for ((p = 0; p < ${#args[@]}; p += 2)); do
    repo=${args[p]} cidx=${args[p + 1]}
    cd "$repo"
    "$cidx" stop >/dev/null 2>&1 || true
    log=.code-indexer/daemon.log
    before=$( [ -f "$log" ] && wc -l < "$log" || echo 0)
    start=$(date +%s%3N)
    "$cidx" query "$query" -q >/dev/null
    end=$(date +%s%3N)
    new=$(tail -n +"$((before + 1))" "$log")
    serving_line=$(grep 'daemon started' <<<"$new" | tail -n 1 || true)
    loaded_line=$(grep 'cache loaded in' <<<"$new" | tail -n 1 || true)
    jvm=$(grep -o 'serving [0-9]* ms' <<<"$serving_line" | grep -o '[0-9]*' || echo '?')
    loaded=$(grep -o 'cache loaded in [0-9]* ms' <<<"$loaded_line" | grep -o '[0-9]*' || echo '?')
    client='?' query_ms='?' loaded_at='?'
    if [ "$jvm" != '?' ]; then
      client=$(( $(ms "${serving_line%% *}") - jvm - start ))
    fi
    if [ -n "$loaded_line" ]; then
      query_ms=$(( end - $(ms "${loaded_line%% *}") ))
      if [ "$jvm" != '?' ]; then
        loaded_at=$(( $(ms "${loaded_line%% *}") - ($(ms "${serving_line%% *}") - jvm) ))
      fi
    fi
    index=$(grep -o 'index opened: .*' <<<"$new" | tail -n 1 || echo 'index opened: ?')
    model=$(grep -o 'model .* opened in [0-9]* ms' <<<"$new" | tail -n 1 | grep -o '[0-9]* ms' || echo '?')
    echo "$cidx $repo run $i: first result $((end - start)) ms = client $client + loaded $loaded_at (serving $jvm, load $loaded) + query $query_ms ms; model $model; $index; load avg $(cut -d' ' -f1 /proc/loadavg)"
  done
done
for ((p = 0; p < ${#args[@]}; p += 2)); do (cd "${args[p]}" && "${args[p + 1]}" stop >/dev/null 2>&1 || true); done
