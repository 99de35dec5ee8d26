#!/usr/bin/env bash
# Warm `cidx query`, whole process through bin/cidx: the native client, the Java client (CIDX_NATIVE=0),
# standalone (CIDX_NO_DAEMON=1), and ripgrep on the same tree, in one run. The commands take turns, one
# run of each per round, so a noisy machine slows them alike; p50 and p90 of RUNS rounds, and the CPU time
# the command's processes used (user + system, p50), which a loaded machine inflates much less than wall
# time. The daemon's own p50 (`cidx daemon status`) follows: what a query costs without any client.
#
# usage: bench/native-client.sh REPO [RUNS]   (REPO indexed with `cidx init && cidx index`;
#        the native client built by `mvn package` with a C compiler; ripgrep optional)
set -euo pipefail
repo=$(cd "$1" && pwd)
runs=${2:-30}
cidx="$(cd "$(dirname "$0")/.." && pwd)/bin/cidx"
home="$(dirname "$(dirname "$cidx")")"
if [ ! -x "$home/target/cidx-native" ]; then
  echo "no native client in $home/target: run \`mvn -B -q package -DskipTests\` with a C compiler" >&2
  exit 2
fi
cd "$repo"
"$cidx" daemon restart >/dev/null # a daemon of this build, with fresh latency statistics
for i in $(seq 5); do "$cidx" query "warm up" -q >/dev/null || true; done

python3 - "$cidx" "$runs" <<'EOF'
import os, resource, shutil, statistics, subprocess, sys, time
cidx, runs = sys.argv[1], int(sys.argv[2])
q = "websocket handshake"
env = {k: v for k, v in os.environ.items() if k not in ("CIDX_NATIVE", "CIDX_NO_DAEMON")}
cases = [
    ("hybrid, native client", [cidx, "query", q, "-q"], {}),
    ("hybrid, Java client", [cidx, "query", q, "-q"], {"CIDX_NATIVE": "0"}),
    ("hybrid, standalone", [cidx, "query", q, "-q"], {"CIDX_NO_DAEMON": "1"}),
    ("fts, native client", [cidx, "query", "--fts", q, "-q"], {}),
    ("fts, Java client", [cidx, "query", "--fts", q, "-q"], {"CIDX_NATIVE": "0"}),
    ("fts, standalone", [cidx, "query", "--fts", q, "-q"], {"CIDX_NO_DAEMON": "1"}),
]
if shutil.which("rg"):
    cases.append(("ripgrep (rg -n -i -w -e websocket -e handshake .)",
                  ["rg", "-n", "-i", "-w", "-e", "websocket", "-e", "handshake", "."], {}))

def cpu_used():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

wall = {name: [] for name, _, _ in cases}
cpu = {name: [] for name, _, _ in cases}
for _ in range(runs):
    for name, cmd, extra in cases:
        before, start = cpu_used(), time.perf_counter()
        subprocess.run(cmd, env={**env, **extra}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall[name].append((time.perf_counter() - start) * 1000)
        cpu[name].append((cpu_used() - before) * 1000)
print("| command | wall p50 ms | wall p90 ms | CPU p50 ms | runs |")
print("|---|---|---|---|---|")
for name, _, _ in cases:
    t = sorted(wall[name])
    print(f"| {name} | {statistics.median(t):.1f} | {t[int(0.9 * (len(t) - 1))]:.1f} | "
          f"{statistics.median(cpu[name]):.1f} | {len(t)} |")
EOF
"$cidx" daemon status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("daemon, server side: query p50 %s ms, p99 %s ms" % (d["query_p50_ms"], d["query_p99_ms"]))'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
