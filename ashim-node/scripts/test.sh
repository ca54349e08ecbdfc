#!/usr/bin/env bash
# Build @ashim/core from source (scripts/build.js: cargo, dev profile, shared target dir)
# into ashim-node/ (node_modules and ashim.node are git-ignored), check that
# `npm install ./ashim-node` works for a consumer, and run the node:test suite.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(dirname "$HERE")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cd "$HERE"

echo "== npm install (dev tools from the registry; the install script builds the addon)"
npm install --no-audit --no-fund --loglevel=error

echo "== npm install ./ashim-node into a scratch consumer"
CONSUMER="$(mktemp -d)"  # outside the crate: a link back into it would loop for cargo
trap 'rm -rf "$CONSUMER"' EXIT
(cd "$CONSUMER" && echo '{"name":"consumer","private":true}' > package.json \
  && npm install --no-audit --no-fund --loglevel=error "$HERE" \
  && node -e 'const a = require("@ashim/core"); const q = a.qrGenerateSync({ text: "ok" });
      if (q.width !== 400 || q.data[1] !== 0x50) throw new Error("consumer smoke test failed");
      console.log("consumer ok:", a.tools().length, "tools")')

echo "== node --test"
node --test "$@" __test__/
