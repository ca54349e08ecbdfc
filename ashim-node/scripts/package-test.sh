#!/usr/bin/env bash
# The npm package as a user gets it (issue 17): `npm pack` (prepack: release addon +
# native/ sources) into ashim-node/dist/, then, far from the repository:
#  - the tarball holds the prebuilt addon, index.d.ts, README and the fallback sources;
#  - the addon links only glibc/libgcc/libstdc++ (scripts/check-linkage.sh, README's floor);
#  - it installs into an empty temp project and runs `resize` on a fixture at once;
#  - without a fitting prebuilt addon and without cargo, the install script says so clearly;
#  - with the prebuilt addon removed, the install script builds it from the tarball's own
#    sources (native/, release profile, --locked) and it runs. In the shared target dir
#    this costs seconds: cargo hashes path crates by their path inside the workspace, which
#    native/ keeps, so with the files' times set back the artifacts of the prebuilt build
#    count as fresh unless a file that build read is missing (then cargo recompiles, and
#    fails). ASHIM_NODE_PACKAGE_FALLBACK=0 skips it.
# Each step prints its wall time.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(dirname "$HERE")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
FIX="${ASHIM_FIXTURES:-$ROOT/../shared/fixtures}"
[ -f "$FIX/test-200x150.png" ] || FIX="$ROOT/shared/fixtures"
GLIBC_FLOOR="$(sed -n 's/.*glibc floor: \([0-9.]*\).*/\1/p' "$ROOT/README.md" | head -n1)"
[ -n "$GLIBC_FLOOR" ] || { echo "README.md states no 'glibc floor: 2.NN'" >&2; exit 1; }
DIST="$HERE/dist"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
timed() { local t; t=$(date +%s); echo "== $1"; shift; "$@"; echo "   ($(( $(date +%s) - t )) s)"; }

pack() {
  rm -rf "$DIST"; mkdir -p "$DIST"
  (cd "$HERE" && npm pack --pack-destination "$DIST" --loglevel=warn >/dev/null)
  TARBALL="$(ls "$DIST"/*.tgz)"
  echo "   $(basename "$TARBALL"): $(du -k "$TARBALL" | cut -f1) KiB"
}

contents() {
  tar tzf "$TARBALL" | sed 's#^package/##' | sort > "$WORK/files"
  local missing=0
  for f in package.json README.md index.js index.d.ts platform.js scripts/install.js scripts/build.js \
    ashim.linux-x64-gnu.node native/Cargo.toml native/Cargo.lock native/ashim-core/Cargo.toml \
    native/ashim-core/src/lib.rs native/ashim-core/models.json native/ashim-node/Cargo.toml \
    native/ashim-node/build.rs native/ashim-node/src/lib.rs; do
    grep -qxF "$f" "$WORK/files" || { echo "   missing from the tarball: $f" >&2; missing=1; }
  done
  if grep -E '^(node_modules|__test__|target|native/target|dist)/' "$WORK/files" >&2; then missing=1; fi
  [ "$missing" = 0 ]
  echo "   $(wc -l < "$WORK/files") files"
}

linkage() {
  tar xzf "$TARBALL" -C "$WORK" package/ashim.linux-x64-gnu.node
  "$ROOT/scripts/check-linkage.sh" --max-glibc "$GLIBC_FLOOR" "$WORK/package/ashim.linux-x64-gnu.node"
}

SMOKE='const path = require("node:path"); const a = require("@ashim/core");
  const where = require.resolve("@ashim/core");
  if (!where.startsWith(process.cwd() + path.sep)) throw new Error(`loaded from ${where}`);
  const o = a.resizeSync(process.argv[1], { width: 40 });
  if (o.width !== 40 || o.height !== 30 || o.data.readUInt32BE(0) !== 0x89504e47) throw new Error(`resize: ${o.width}x${o.height} ${o.format}`);
  console.log(`   resize ok: ${o.format} ${o.width}x${o.height} from ${path.relative(process.cwd(), where)}; ${a.tools().length} tools`);'

install_empty() {
  mkdir "$WORK/app"
  cd "$WORK/app"
  echo '{"name":"app","private":true}' > package.json
  npm install --offline --no-audit --no-fund --loglevel=error "$TARBALL"
  grep -q 'export function resize' node_modules/@ashim/core/index.d.ts
  node -e "$SMOKE" "$FIX/test-200x150.png"
}

no_cargo_message() {
  cd "$WORK/app"
  local out
  if out="$(ASHIM_NODE_BUILD_FROM_SOURCE=1 CARGO="$WORK/no-such-cargo" node node_modules/@ashim/core/scripts/install.js 2>&1)"; then
    echo "   the install script succeeded without cargo" >&2; return 1
  fi
  grep -q 'was not found, so it cannot be built from source' <<<"$out" || { echo "$out" >&2; return 1; }
  echo "   clear message: $(tail -n1 <<<"$out" | cut -c1-150)..."
}

fallback_build() {
  cd "$WORK/app"
  rm node_modules/@ashim/core/ashim.linux-x64-gnu.node
  # npm extracts files with the current time; give them back an old one (as the sdist keeps
  # its files' times), so cargo judges freshness by what the prebuilt build read.
  find node_modules/@ashim/core/native -type f -exec touch -d '2000-01-01 00:00:00' {} +
  ASHIM_NODE_BUILD_FROM_SOURCE=1 npm rebuild --no-audit --no-fund --loglevel=error --foreground-scripts @ashim/core
  node -e "$SMOKE" "$FIX/test-200x150.png"
}

timed "npm pack (release addon + native/ sources)" pack
timed "tarball contents" contents
timed "linkage of the prebuilt addon" linkage
timed "install into an empty project and resize" install_empty
timed "no prebuilt, no cargo: clear message" no_cargo_message
if [ "${ASHIM_NODE_PACKAGE_FALLBACK:-1}" = 1 ]; then
  timed "build from the tarball's sources and resize" fallback_build
fi
echo "node package ok: $TARBALL"
