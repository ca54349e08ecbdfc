#!/usr/bin/env bash
# Test @ashim/core with the release addon (scripts/build.js --release: cargo, release profile,
# shared target dir; built once by `make package-test`, which runs first in `make test`, and
# only checked for freshness here), check that `npm install ./ashim-node` resolves for a
# consumer, and run the node:test suite. (node_modules and ashim.*.node are git-ignored.)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(dirname "$HERE")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cd "$HERE"

echo "== the release addon (scripts/build.js --release; cargo is a no-op when it is up to date)"
node scripts/build.js --release

echo "== npm install (dev tools from the registry; --ignore-scripts: the addon is built above)"
npm install --no-audit --no-fund --loglevel=error --ignore-scripts

echo "== npm install ./ashim-node into a scratch consumer"
CONSUMER="$(mktemp -d)"  # outside the crate: a link back into it would loop for cargo
trap 'rm -rf "$CONSUMER"' EXIT
(cd "$CONSUMER" && echo '{"name":"consumer","private":true}' > package.json \
  && npm install --no-audit --no-fund --loglevel=error --ignore-scripts "$HERE" \
  && node -e 'const a = require("@ashim/core"); const q = a.qrGenerateSync({ text: "ok" });
      if (q.width !== 400 || q.data[1] !== 0x50) throw new Error("consumer smoke test failed");
      console.log("consumer ok:", a.tools().length, "tools")')

echo "== node --test"
node --test "$@" __test__/
