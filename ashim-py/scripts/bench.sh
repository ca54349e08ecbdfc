#!/usr/bin/env bash
# Binding overhead: "12 MP JPEG -> 800 px wide JPEG q80" through the Rust API, Python and
# Node in one run, with Pillow and sharp for comparison when they are installed.
# Needs ashim-py/.venv and ashim-node/ built (scripts/test.sh of each binding).
# PROFILE=release compares release builds (builds them first).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(dirname "$HERE")"
N="${N:-15}"
PROFILE="${PROFILE:-dev}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
PY="$HERE/.venv/bin/python"
FIX="${ASHIM_FIXTURES:-$ROOT/../shared/fixtures}"

if [ "$PROFILE" != dev ]; then
  (cd "$HERE" && PATH="$HERE/.venv/bin:$PATH" maturin develop -q --profile "$PROFILE")
  (cd "$ROOT/ashim-node" && ASHIM_NODE_PROFILE="$PROFILE" node scripts/build.js)
fi
# A 4000x3000 (12 MP) JPEG, upscaled from a photo fixture.
SRC="$FIX/content/red-eye.jpg"; [ -f "$SRC" ] || SRC="$FIX/test-portrait.jpg"
"$PY" -c "import ashim,sys; o=ashim.pipeline([('resize',{'width':4000,'height':3000,'fit':'fill'}),('convert',{'format':'jpg','quality':90})], sys.argv[1]); o.save(sys.argv[2]); print('input', o.width, 'x', o.height, len(o.data), 'bytes')" "$SRC" "$WORK/12mp.jpg"

(cd "$ROOT" && cargo run -q --profile "$PROFILE" -p ashim-py --features extension-module --example bench_resize -- "$WORK/12mp.jpg" "$N") | tee "$WORK/out.txt"
"$PY" "$HERE/scripts/bench.py" "$WORK/12mp.jpg" "$N" | tee -a "$WORK/out.txt"
node "$ROOT/ashim-node/scripts/bench.js" "$WORK/12mp.jpg" "$N" | tee -a "$WORK/out.txt"
awk '/median_ms=/ { split($2, a, "="); t[$1] = a[2]; order[++k] = $1 }
     END { for (i = 1; i <= k; i++) printf "%-18s %8.2f ms  x%.2f of rust\n", order[i], t[order[i]], t[order[i]] / t["rust"] }' "$WORK/out.txt"
