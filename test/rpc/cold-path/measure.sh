#!/usr/bin/env bash
# Measures the client's cold path against `node -e 0` (not part of the test suite):
#   1. one request to a running daemon (budget: 1.3x node -e 0),
#   2. the first command, which autostarts the daemon (budget: 3x node -e 0).
# The daemon is the RPC test daemon (home + lock + server only), compiled to plain JS.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$(mktemp -d /tmp/guv-cold-build-XXXXXX)"
export GUV_HOME="$(mktemp -d /tmp/guv-cold-XXXXXX)"
trap 'node "$out/stop-daemon.mjs" 2>/dev/null; rm -rf "$GUV_HOME" "$out"' EXIT

"$root/node_modules/.bin/tsc" --outDir "$out" --rootDir "$root" --module nodenext \
  --moduleResolution nodenext --target es2022 --skipLibCheck --types node \
  "$root/src/client/autostart.ts" "$root/test/rpc/fixtures/test-daemon.ts"
echo '{"type":"module"}' > "$out/package.json"
cp "$here"/*.mjs "$out/"
here="$out"

node "$here/autostart-request.mjs"   # leaves the daemon running for the first measurement
# Interleaved rounds: on a shared, loaded machine, runs of one command in a row would each
# meet a different load. Set HYPERFINE=1 for hyperfine's statistics as well.
node "$here/interleave.mjs" "${RUNS:-40}" 'node -e 0' "node $here/one-request.mjs"
PREPARE="node $here/stop-daemon.mjs" node "$here/interleave.mjs" "${RUNS:-20}" \
  'node -e 0' "node $here/autostart-request.mjs"
if [ -n "${HYPERFINE:-}" ] && command -v hyperfine >/dev/null; then
  node "$here/autostart-request.mjs"
  hyperfine -N --warmup 5 --runs "${RUNS:-40}" 'node -e 0' "node $here/one-request.mjs"
  hyperfine -N --warmup 3 --runs "${RUNS:-20}" --prepare "node $here/stop-daemon.mjs" \
    'node -e 0' "node $here/autostart-request.mjs"
fi
