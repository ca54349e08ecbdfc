#!/usr/bin/env python3
"""Licence gate (DECISIONS.md 16): every crate in the default build of ashim's crates must be
usable under a permissive licence. An SPDX expression passes when some choice among its OR
alternatives is entirely permissive. Copyleft crates may only sit behind opt-in features,
which `cargo tree` without `--features` does not enable, so they never reach this list."""

import re
import subprocess
import sys

PERMISSIVE = {
    "MIT", "MIT-0", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "Zlib", "Unlicense",
    "CC0-1.0", "0BSD", "BSL-1.0", "IJG", "NCSA", "Unicode-3.0", "Unicode-DFS-2016", "libpng-2.0",
}
CRATES = ["ashim-core", "ashim-server", "ashim-py", "ashim-node"]


def tokens(expr):
    return re.findall(r"\(|\)|[A-Za-z0-9.+-]+", expr.replace("/", " OR "))


def permissive(toks):
    """Recursive descent over OR (lowest), AND, WITH, parentheses."""
    pos = 0

    def atom():
        nonlocal pos
        t = toks[pos]
        pos += 1
        if t == "(":
            v = disj()
            pos += 1  # ')'
        else:
            v = t.rstrip("+") in PERMISSIVE
        if pos < len(toks) and toks[pos] == "WITH":
            pos += 2  # exceptions only add permissions
        return v

    def conj():
        nonlocal pos
        v = atom()
        while pos < len(toks) and toks[pos] == "AND":
            pos += 1
            v = atom() and v
        return v

    def disj():
        nonlocal pos
        v = conj()
        while pos < len(toks) and toks[pos] == "OR":
            pos += 1
            v = conj() or v
        return v

    return disj()


def main():
    args = ["cargo", "tree", "-e", "normal", "--prefix", "none", "--format", "{p}|{l}"]
    for c in CRATES:
        args += ["-p", c]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    seen, bad = set(), []
    for line in out.splitlines():
        if "|" not in line or line in seen:
            continue
        seen.add(line)
        pkg, lic = line.rsplit("|", 1)
        if pkg.startswith("ashim-"):
            continue
        if not lic.strip() or not permissive(tokens(lic)):
            bad.append(f"{pkg}: {lic or 'no licence metadata'}")
    if bad:
        print("Copyleft or unknown licences in the default build:\n  " + "\n  ".join(bad))
        sys.exit(1)
    print(f"licences: {len(seen)} crates checked, all permissive")


if __name__ == "__main__":
    main()
