#!/usr/bin/env python3
"""Write ``python/ashim/__init__.pyi`` (and ``ashim-node/index.d.ts``) from the tool catalogue.

A thin wrapper around the Rust generator, which needs no native module built:

    python scripts/gen_stubs.py          # = cargo run -p ashim-tests --bin gen-stubs
    python scripts/gen_stubs.py --check  # exit 1 when a checked-in stub is stale

``cargo test -p ashim-tests --test stubs`` checks the same in CI.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

if __name__ == "__main__":
    cmd = ["cargo", "run", "-q", "-p", "ashim-tests", "--bin", "gen-stubs", "--", *sys.argv[1:]]
    sys.exit(subprocess.call(cmd, cwd=ROOT))
