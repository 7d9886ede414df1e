#!/usr/bin/env bash
# Measures the client's cold path against `node -e 0` (not part of the test suite):
#   1. one request to a running daemon (budget: 1.3x node -e 0),
#   2. the first command, which autostarts the daemon (budget: 3x node -e 0).
# The daemon is the RPC test daemon (home + lock + server only), compiled to plain JS.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$here/out"
export GUV_HOME="$(mktemp -d /tmp/guv-cold-XXXXXX)"
trap 'node "$here/stop-daemon.mjs"; rm -rf "$GUV_HOME" "$out"' EXIT

"$root/node_modules/.bin/tsc" --outDir "$out" --rootDir "$root" --module nodenext \
  --moduleResolution nodenext --target es2022 --skipLibCheck --types node \
  "$root/src/client/autostart.ts" "$root/test/rpc/fixtures/test-daemon.ts"
echo '{"type":"module"}' > "$out/package.json"

node "$here/autostart-request.mjs"   # leaves the daemon running for the first measurement
if command -v hyperfine >/dev/null; then
  report() { node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results;
    const [base, it] = r.map((x) => x.median * 1000);
    console.log(`median: node -e 0 ${base.toFixed(1)} ms, ${r[1].command.split("/").pop()} ${it.toFixed(1)} ms = ${(it / base).toFixed(2)}x`);
  ' "$1"; }
  hyperfine -N --warmup 5 --runs "${RUNS:-40}" --export-json "$out/one.json" \
    'node -e 0' "node $here/one-request.mjs"
  node "$here/stop-daemon.mjs"
  hyperfine -N --warmup 3 --runs "${RUNS:-20}" --export-json "$out/auto.json" \
    --prepare "node $here/stop-daemon.mjs" 'node -e 0' "node $here/autostart-request.mjs"
  report "$out/one.json"
  report "$out/auto.json"
else
  median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  time_ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
  base=$(for _ in $(seq 30); do time_ms node -e 0; done | median)
  one=$(for _ in $(seq 30); do time_ms node "$here/one-request.mjs"; done | median)
  auto=$(for _ in $(seq 15); do node "$here/stop-daemon.mjs"; time_ms node "$here/autostart-request.mjs"; done | median)
  echo "median ms: node -e 0 = $base; one request = $one; autostart + request = $auto"
fi
