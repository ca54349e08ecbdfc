#!/usr/bin/env bash
# End-to-end tests of the web app: build ashim-server (dev profile), start it twice on free
# ports with temporary data folders (auth on with the forced first password change, and
# AUTH_ENABLED=false), run the node:test suite in headless Chromium, stop the servers.
# Needs Debian's chromium (scripts/install-system-deps.sh) and npm (playwright-core).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
CARGO="${CARGO:-cargo}"

echo "== cargo test --no-run (builds target/debug/ashim-server with the features make test uses)"
(cd "$ROOT" && $CARGO test --no-run -q)
BIN="$CARGO_TARGET_DIR/debug/ashim-server"

echo "== npm install (playwright-core; the browser is Debian's /usr/bin/chromium)"
cd "$HERE"
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi

TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KEEP_WEB_TEST_DIR:-}" = "" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}
trap cleanup EXIT

# start NAME ENV... : start a server on a free port, print its base URL.
start() {
  local name="$1"; shift
  local dir="$TMP/$name"
  mkdir -p "$dir"
  env HOST=127.0.0.1 PORT=0 DB_PATH="$dir/ashim.db" FILES_STORAGE_PATH="$dir/files" \
    WORKSPACE_PATH="$dir/workspace" DATA_DIR="$dir/data" "$@" \
    "$BIN" >"$dir/server.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    if grep -q "listening on http://" "$dir/server.log" 2>/dev/null; then
      grep -o "http://[0-9.:]*" "$dir/server.log" | head -1
      return 0
    fi
    sleep 0.1
  done
  echo "server $name did not start:" >&2
  cat "$dir/server.log" >&2
  return 1
}

export ASHIM_URL; ASHIM_URL="$(start auth AUTH_ENABLED=true DEFAULT_USERNAME=admin DEFAULT_PASSWORD=admin)"
export ASHIM_URL_NOAUTH; ASHIM_URL_NOAUTH="$(start noauth AUTH_ENABLED=false)"
# The fixtures live beside the repository, as for the Rust and binding tests.
export ASHIM_FIXTURES="${ASHIM_FIXTURES:-$ROOT/../shared/fixtures}"
if [ ! -f "$ASHIM_FIXTURES/test-200x150.png" ]; then
  echo "fixtures not found in $ASHIM_FIXTURES (set ASHIM_FIXTURES)" >&2
  exit 1
fi
export ASHIM_SHOTS="${ASHIM_SHOTS:-$TMP/shots}"
mkdir -p "$ASHIM_SHOTS"
echo "== node --test (server $ASHIM_URL, no-auth server $ASHIM_URL_NOAUTH, screenshots in $ASHIM_SHOTS)"
node --test --test-concurrency=1 "$HERE/e2e.test.mjs"
