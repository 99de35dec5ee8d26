#!/usr/bin/env bash
# ts-corpus DEST — the TypeScript retrieval benchmark's corpus: rxjs 7.8.1's own .ts sources (as its npm
# package ships them, declaration files left out) in DEST/rxjs/src. RetrievalEval strips their TSDoc
# comments and asks for each documented declaration with the comment's first sentence:
#   bench/ts-corpus.sh /tmp/corpus-rxjs
#   java -Deval.ext=.ts -cp "$CP" dev.cidx.bench.RetrievalEval /tmp/corpus-rxjs /tmp/eval-rxjs 300
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: ts-corpus DEST" >&2
  exit 2
fi
dest=$1
if [[ -e $dest && -n $(ls -A "$dest" 2>/dev/null) ]]; then
  echo "ts-corpus: $dest exists and is not empty" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent rxjs@7.8.1 >/dev/null && tar xzf rxjs-7.8.1.tgz)
mkdir -p "$dest/rxjs"
cp -r "$work/package/src" "$dest/rxjs/src"
find "$dest" -name '*.d.ts' -delete
echo "ts-corpus: $(find "$dest" -name '*.ts' | wc -l) TypeScript files in $dest/rxjs/src"
