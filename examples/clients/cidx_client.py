#!/usr/bin/env python3
"""Query a running cidx daemon from Python, with nothing but the standard library.

Usage (from anywhere inside an indexed repository whose daemon is running, e.g. after `cidx start`):

    python3 cidx_client.py [--limit N] [--mode hybrid|semantic|fts] [--json] TEXT...

It finds the repository root by walking up to `.code-indexer/config.json`, connects to the daemon's
Unix socket, checks the protocol version with `hello`, sends one `query` and prints the results:

    connected to cidx 0.1.0 (protocol 1), daemon pid 4242, repository /home/me/photos
     1. 0.984  backend/src/main/java/com/example/photos/upload/RetryPolicy.java:1-38  java
    ...
    3 results in 12.3 ms (hybrid, via daemon)

`--json` prints the query's raw JSON-RPC result instead. It never starts a daemon (the `cidx` command
does that); with none running it says so and exits 2. The wire protocol is in docs/PROTOCOL.md: one
JSON-RPC 2.0 object per line, each request answered by exactly one response line.
"""

import argparse
import hashlib
import json
import os
import pwd
import socket
import sys
import tempfile

PROTOCOL_VERSION = 1
# A socket path must fit in sun_path (108 bytes on Linux, 104 on macOS, with the NUL); cidx moves a longer
# one to a short runtime directory. Mirrors dev.cidx.config.SocketPaths.
MAX_SOCKET_PATH_BYTES = 103


def find_repo_root(start):
    directory = os.path.abspath(start)
    while True:
        if os.path.isfile(os.path.join(directory, ".code-indexer", "config.json")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def socket_path(root):
    preferred = os.path.join(root, ".code-indexer", "daemon.sock")
    if len(preferred.encode("utf-8")) <= MAX_SOCKET_PATH_BYTES:
        return preferred
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime.strip() and os.path.isdir(runtime):
        directory = os.path.join(runtime, "cidx")
    else:
        # Java's java.io.tmpdir (/tmp on Linux) and user.name (the account name, not $USER).
        directory = os.path.join("/tmp" if sys.platform.startswith("linux") else tempfile.gettempdir(),
                                 "cidx-" + pwd.getpwuid(os.getuid()).pw_name)
    digest = hashlib.sha256(root.encode("utf-8")).hexdigest()[:16]
    return os.path.join(directory, digest + ".sock")


class DaemonError(Exception):
    """The daemon answered with a JSON-RPC error."""

    def __init__(self, error):
        super().__init__("%s (code %s)" % (error.get("message"), error.get("code")))
        self.code = error.get("code")


class Connection:
    """One connection; requests are answered in order, one response line each."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(path)
        self.reader = self.sock.makefile("rb")
        self.next_id = 1

    def call(self, method, params=None):
        request = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params or {}}
        self.next_id += 1
        self.sock.sendall(json.dumps(request).encode("utf-8") + b"\n")
        while True:
            line = self.reader.readline()
            if not line:
                raise ConnectionError("the daemon closed the connection")
            message = json.loads(line)
            if "method" in message and message.get("id") is None:
                continue  # a notification (only `run` sends them)
            if message.get("id") != request["id"]:
                continue
            if "error" in message:
                raise DaemonError(message["error"])
            return message["result"]

    def close(self):
        self.reader.close()
        self.sock.close()


def main(argv):
    parser = argparse.ArgumentParser(description="Query a running cidx daemon.")
    parser.add_argument("text", nargs="+", help="what to look for")
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--mode", choices=["hybrid", "semantic", "fts"], default="hybrid")
    parser.add_argument("--json", action="store_true", help="print the raw result")
    args = parser.parse_args(argv)

    root = find_repo_root(os.getcwd())
    if root is None:
        print("cidx_client: no .code-indexer/config.json here or above; run `cidx init`", file=sys.stderr)
        return 2
    path = socket_path(root)
    try:
        conn = Connection(path)
    except OSError as e:
        print("cidx_client: no daemon answers at %s (%s); start one with `cidx start`" % (path, e.strerror or e),
              file=sys.stderr)
        return 2
    try:
        hello = conn.call("hello", {"client_version": "cidx_client.py", "protocol_version": PROTOCOL_VERSION})
        if hello["protocol_version"] != PROTOCOL_VERSION:
            print("cidx_client: the daemon speaks protocol %d, this client %d"
                  % (hello["protocol_version"], PROTOCOL_VERSION), file=sys.stderr)
            return 2
        result = conn.call("query", {"query": " ".join(args.text), "mode": args.mode, "limit": args.limit})
    except (DaemonError, ConnectionError, OSError) as e:
        print("cidx_client: %s" % e, file=sys.stderr)
        return 2
    finally:
        conn.close()

    if args.json:
        print(json.dumps(result, indent=2))
        return 0 if result["results"] else 1
    print("connected to cidx %s (protocol %d), daemon pid %d, repository %s"
          % (hello["cidx_version"], hello["protocol_version"], hello["pid"], hello["repo_root"]))
    for rank, hit in enumerate(result["results"], 1):
        print("%2d. %.3f  %s:%d-%d  %s" % (rank, hit["score"], hit["path"], hit["start_line"], hit["end_line"],
                                           hit["language"]))
    count = len(result["results"])
    print("%d result%s in %.1f ms (%s, via %s)"
          % (count, "" if count == 1 else "s", result["took_ms"], result["mode"], result["via"]))
    return 0 if count else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
