#!/usr/bin/env bash
# The conformance kit against `npm start` as a user runs it (embedded stand-in, simulator, SQLite in a
# throwaway data folder, ports of their own): waits for /ready, takes an eligible professional's token
# from the stand-in, runs `npm run conformance` (with the IPS IG folder when given), stops the server.
#   scripts/ci-conformance.sh [<IPS IG folder>]
set -euo pipefail
cd "$(dirname "$0")/.."
IG="${1:-}"
DATA="$(mktemp -d)"
export PORT="${KIT_PORT:-18080}" DEV_IDP_PORT="${KIT_DEV_IDP_PORT:-18081}" SIMULATOR_PORT="${KIT_SIMULATOR_PORT:-18090}"
export DATA_DIR="$DATA" LOG_LEVEL=warn
# Its own process group, so that stopping it stops npm and the server under it.
setsid npm start > "$DATA/server.log" 2>&1 &
SERVER=$!
stop() {
  kill -TERM -- "-$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  rm -rf "$DATA"
}
trap stop EXIT
if ! node -e '
  const url = `http://127.0.0.1:${process.env.PORT}/ready`;
  const until = Date.now() + 180_000;
  (async () => {
    while (Date.now() < until) {
      try { if ((await fetch(url)).ok) process.exit(0); } catch {}
      await new Promise((r) => setTimeout(r, 1000));
    }
    process.exit(1);
  })();'; then
  echo "npm start did not become ready; its log:" >&2
  cat "$DATA/server.log" >&2
  exit 1
fi
TOKEN="$(npm run -s dev-token -- 899700209937)"   # CYRIL TOUBIB, general practitioner
npm run -s conformance -- "http://127.0.0.1:$PORT/fhir" --token "$TOKEN" ${IG:+--ig "$IG"}
