#!/usr/bin/env python3
"""What the daemon spends on `run` (a command line parsed and printed by its picocli tree, as the native
and Java clients send it) against `query` (the request alone), on new connections, alternating.

usage: bench/run-vs-query.py REPO CIDX_VERSION [ROUNDS]   (REPO indexed, its daemon running this build;
       CIDX_VERSION as `bin/cidx --version` prints it, e.g. 0.1.0+2026-12-03T17:49:45Z)
"""
import json, socket, sys, time, statistics
repo, ver = sys.argv[1], sys.argv[2]
def once(method, params):
    s = socket.socket(socket.AF_UNIX); s.connect(repo + "/.code-indexer/daemon.sock"); f = s.makefile("rwb")
    t0 = time.perf_counter()
    f.write((json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}) + "\n").encode()); f.flush()
    while True:
        m = json.loads(f.readline())
        if "id" in m: break
    s.close()
    return (time.perf_counter() - t0) * 1000, m
for q, mode in (("websocket handshake", "fts"), ("retry the request after a redirect", "hybrid")):
    run, qry = [], []
    for i in range(int(sys.argv[3]) if len(sys.argv) > 3 else 30):
        argv = ["query", q, "-q"] + (["--fts"] if mode == "fts" else [])
        ms, m = once("run", {"argv": argv, "cwd": repo, "terminal": {"stdout_tty": False, "stderr_tty": False, "columns": 80}, "env": {}, "client_version": ver, "protocol_version": 1})
        if "error" in m: print(m); sys.exit(1)
        run.append(ms)
        ms, m = once("query", {"query": q, "mode": mode, "limit": 10})
        qry.append(ms)
    print(mode, "run p50 %.2f ms, query p50 %.2f ms" % (statistics.median(run), statistics.median(qry)))
