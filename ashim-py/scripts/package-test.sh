#!/usr/bin/env bash
# The Python packages as a user gets them (issue 17): the release abi3 wheel and the sdist
# (scripts/package.sh, into ashim-py/dist/), then, far from the repository:
#  - the wheel holds the stubs, py.typed, README, licence metadata and classifiers, and is
#    tagged cp39-abi3-manylinux;
#  - its extension links only glibc/libgcc/libstdc++ (scripts/check-linkage.sh against the
#    README's floor; auditwheel from PyPI where it installs);
#  - it installs into a fresh venv in an empty folder and runs `resize` on a fixture;
#  - the sdist builds and installs in another fresh venv in an empty folder (maturin from
#    PyPI through pip's build isolation) and runs the same. It builds with the release
#    profile in the shared target dir: cargo hashes path crates by their path inside the
#    workspace, which the sdist keeps, so the wheel's artifacts count as fresh unless a source
#    file differs or is missing, and the check costs seconds. (ASHIM_SDIST_PROFILE=dev picks
#    another profile.)
# Each step prints its wall time.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(dirname "$HERE")"
VENV="$HERE/.venv"
PYTHON="${PYTHON:-python3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
FIX="${ASHIM_FIXTURES:-$ROOT/../shared/fixtures}"
[ -f "$FIX/test-200x150.png" ] || FIX="$ROOT/shared/fixtures"
GLIBC_FLOOR="$(sed -n 's/.*glibc floor: \([0-9.]*\).*/\1/p' "$ROOT/README.md" | head -n1)"
[ -n "$GLIBC_FLOOR" ] || { echo "README.md states no 'glibc floor: 2.NN'" >&2; exit 1; }
DIST="$HERE/dist"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
timed() { local t; t=$(date +%s); echo "== $1"; shift; "$@"; echo "   ($(( $(date +%s) - t )) s)"; }

build() {
  "$HERE/scripts/package.sh"
  WHEEL="$(ls "$DIST"/ashim-*.whl)"; SDIST="$(ls "$DIST"/ashim-*.tar.gz)"
  echo "   $(basename "$WHEEL"): $(du -k "$WHEEL" | cut -f1) KiB; $(basename "$SDIST"): $(du -k "$SDIST" | cut -f1) KiB"
}

wheel_contents() {
  "$VENV/bin/python" - "$WHEEL" "$SDIST" <<'PY'
import email.parser, sys, tarfile, zipfile
wheel, sdist = sys.argv[1], sys.argv[2]
name = wheel.rsplit("/", 1)[-1]
assert "-cp39-abi3-manylinux" in name and name.endswith("_x86_64.whl"), f"wheel tag: {name}"
z = zipfile.ZipFile(wheel)
names = set(z.namelist())
for f in ["ashim/__init__.py", "ashim/__init__.pyi", "ashim/py.typed", "ashim/_schema.py"]:
    assert f in names, f"{f} missing from the wheel"
assert any(n.startswith("ashim/_ashim.") and n.endswith(".so") for n in names), "no extension module"
meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
meta = email.parser.Parser().parsestr(z.read(meta_name).decode())
assert meta["License-Expression"] == "MIT OR Apache-2.0", meta["License-Expression"]
assert meta["Requires-Python"] == ">=3.9", meta["Requires-Python"]
classifiers = meta.get_all("Classifier")
for c in ["Typing :: Typed", "Programming Language :: Rust", "Operating System :: POSIX :: Linux"]:
    assert c in classifiers, f"classifier {c!r} missing"
assert meta["Description-Content-Type"].startswith("text/markdown"), meta["Description-Content-Type"]
body = meta.get_payload()
assert "# ashim (Python)" in body, "README is not the long description"
assert "pip install" in body
t = tarfile.open(sdist)
top = t.getnames()[0].split("/")[0]
snames = set(t.getnames())
for f in ["pyproject.toml", "PKG-INFO", "Cargo.toml", "Cargo.lock", "ashim-py/Cargo.toml",
          "python/ashim/__init__.pyi", "python/ashim/py.typed", "README.md",
          "ashim-core/Cargo.toml", "ashim-core/models.json", "ashim-core/src/lib.rs"]:
    assert f"{top}/{f}" in snames, f"{f} missing from the sdist"
print(f"   wheel: {len(names)} files, {len(classifiers)} classifiers, License-Expression ok; sdist: {len(snames)} entries")
PY
}

linkage() {
  mkdir "$WORK/whl"
  (cd "$WORK/whl" && "$VENV/bin/python" -m zipfile -e "$WHEEL" .)
  "$ROOT/scripts/check-linkage.sh" --max-glibc "$GLIBC_FLOOR" "$WORK"/whl/ashim/_ashim.*.so
  if "$VENV/bin/python" -m pip install -q auditwheel 2>/dev/null; then
    "$VENV/bin/auditwheel" show "$WHEEL" | tr '\n' ' ' | fold -s -w 160 | sed 's/^/   /'; echo
  else
    echo "   auditwheel not installable here: skipped (maturin audited the wheel when tagging it)"
  fi
}

SMOKE='import pathlib, sys, ashim
where = pathlib.Path(ashim.__file__).resolve()
assert str(where).startswith(str(pathlib.Path(sys.prefix).resolve())), f"ashim loaded from {where}"
out = ashim.resize(sys.argv[1], width=40)
assert (out.width, out.height) == (40, 30) and out.data[:8] == b"\x89PNG\r\n\x1a\n", (out.width, out.height, out.format)
assert (where.parent / "py.typed").is_file() and (where.parent / "__init__.pyi").is_file()
from importlib.metadata import version
v = version("ashim")
print(f"   resize ok: {out.format} {out.width}x{out.height}; ashim {v} from {where.parent}; {len(ashim.tools())} tools")'

fresh_venv() {  # fresh_venv DIR: an empty folder with a venv in it
  mkdir "$1"
  "$PYTHON" -m venv "$1/venv"
}

install_wheel() {
  fresh_venv "$WORK/w"
  cd "$WORK/w"
  venv/bin/python -m pip install -q --no-index "$WHEEL"
  venv/bin/python -c "$SMOKE" "$FIX/test-200x150.png"
}

install_sdist() {
  fresh_venv "$WORK/s"
  cd "$WORK/s"
  MATURIN_PEP517_ARGS="--profile ${ASHIM_SDIST_PROFILE:-release}" \
    venv/bin/python -m pip install -q --no-cache-dir "$SDIST"
  venv/bin/python -c "$SMOKE" "$FIX/test-200x150.png"
}

timed "wheel + sdist (scripts/package.sh)" build
timed "wheel and sdist contents" wheel_contents
timed "linkage of the extension module" linkage
timed "wheel into a fresh venv in an empty folder, resize" install_wheel
timed "sdist builds and installs in a fresh venv in an empty folder, resize" install_sdist
echo "python packages ok: $WHEEL $SDIST"
