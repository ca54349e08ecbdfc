#!/usr/bin/env bash
# Install the release wheel (scripts/package.sh: maturin, release profile, shared target
# dir; built once by `make package-test`, which runs first in `make test`, and only checked
# for freshness here) into ashim-py/.venv (git-ignored) and run the tests: the Rust
# cross-language digest test (dev profile), pytest (generic over ashim.tools() + specific
# tests) and mypy on the generated stubs.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(dirname "$HERE")"
VENV="$HERE/.venv"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

export PATH="$VENV/bin:$PATH"
[ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q "maturin==1.16.0" pytest numpy mypy

echo "== cargo test (cross-language digest, Rust side)"
# Same interpreter and extension-module switch as maturin, so pyo3 is not rebuilt between.
(cd "$ROOT" && PYO3_PYTHON="$VENV/bin/python" PYO3_BUILD_EXTENSION_MODULE=1 \
  cargo test -q -p ashim-py --features extension-module --test cross_language)

echo "== the release wheel (scripts/package.sh; cargo is a no-op when it is up to date)"
"$HERE/scripts/package.sh" --no-sdist
"$VENV/bin/python" -m pip install -q --force-reinstall --no-deps "$HERE"/dist/ashim-*.whl

echo "== pytest"
cd "$HERE/tests"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@" .
