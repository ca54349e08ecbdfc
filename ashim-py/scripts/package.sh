#!/usr/bin/env bash
# Build the release abi3 wheel and the sdist into ashim-py/dist/ (git-ignored) with maturin
# from ashim-py/.venv. The wheel is built with the release profile in the shared target dir,
# so when nothing changed cargo does nothing and this takes seconds: scripts/test.sh and
# scripts/package-test.sh both call it, and the extension is compiled once.
#   ashim-py/scripts/package.sh [--no-sdist]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(dirname "$HERE")"
VENV="$HERE/.venv"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
MATURIN_VERSION=1.16.0

[ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
"$VENV/bin/maturin" --version 2>/dev/null | grep -qxF "maturin $MATURIN_VERSION" \
  || "$VENV/bin/python" -m pip install -q "maturin==$MATURIN_VERSION"

DIST="$HERE/dist"
mkdir -p "$DIST"
rm -f "$DIST"/ashim-*.whl
[ "${1:-}" = "--no-sdist" ] || rm -f "$DIST"/ashim-*.tar.gz
cd "$HERE"
"$VENV/bin/maturin" build --release --quiet --out "$DIST"
[ "${1:-}" = "--no-sdist" ] || "$VENV/bin/maturin" sdist --out "$DIST"
ls "$DIST"
