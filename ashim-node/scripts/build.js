#!/usr/bin/env node
// Build the native addon from source and place it at ./ashim.<platform tag>.node
// (platform.js), the file index.js loads.
//
// Two layouts:
// - the repository (ashim-node/Cargo.toml beside this package): `cargo rustc -p ashim-node`
//   in the workspace, dev profile by default, with the workspace target directory, so the
//   dependency artifacts are shared with `cargo test` and the Python binding;
// - the npm package (native/, assembled by scripts/prepack.js): a self-contained cargo
//   workspace of ashim-core and ashim-node with the repository's Cargo.lock and profiles,
//   release profile by default, target directory native/target.
// `--release` or ASHIM_NODE_PROFILE=<profile> selects the cargo profile; CARGO_TARGET_DIR
// and CARGO (the cargo executable) are honoured. (`napi build` is not used: it always passes
// `--target`, which makes cargo build every dependency a second time under target/<triple>/;
// `npm run build:napi` still offers it.)
'use strict'

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { addonFileName, platformTag } = require('../platform.js')

const root = path.resolve(__dirname, '..')

/** Where the cargo sources are: the repository workspace or the packaged native/ tree. */
function layout() {
  if (fs.existsSync(path.join(root, 'Cargo.toml'))) {
    const workspace = path.resolve(root, '..')
    return { kind: 'repository', workspace, manifest: path.join(workspace, 'Cargo.toml'), profile: 'dev' }
  }
  const workspace = path.join(root, 'native')
  if (fs.existsSync(path.join(workspace, 'Cargo.toml'))) {
    return { kind: 'package', workspace, manifest: path.join(workspace, 'Cargo.toml'), profile: 'release' }
  }
  throw new Error(`@ashim/core: no Rust sources to build from (neither ${root}/Cargo.toml nor native/Cargo.toml)`)
}

/** Build the addon; returns the path of the placed `.node` file. Throws with a clear message. */
function build({ release = false } = {}) {
  const where = layout()
  const profile = release ? 'release' : process.env.ASHIM_NODE_PROFILE || where.profile
  const targetDir = process.env.CARGO_TARGET_DIR || path.join(where.workspace, 'target')
  const cargo = process.env.CARGO || 'cargo'
  // `cargo rustc --crate-type cdylib`, as maturin builds the Python extension: with the
  // release profile's LTO, cargo compiles the dependencies for a cdylib-only root differently
  // from a cdylib+rlib one, and the same flags let the wheel and the addon share them.
  const args = ['rustc', '--manifest-path', where.manifest, '-p', 'ashim-node', '--lib', '--crate-type', 'cdylib', '--profile', profile]
  // The package's Cargo.lock holds the versions the prebuilt addon was tested with.
  if (where.kind === 'package') args.push('--locked')
  console.log(`@ashim/core: building the addon for ${platformTag()} from source (${where.kind}, ${profile} profile)`)
  const r = spawnSync(cargo, args, {
    cwd: where.workspace,
    stdio: 'inherit',
    env: { ...process.env, CARGO_TARGET_DIR: targetDir },
  })
  if (r.error && r.error.code === 'ENOENT') {
    throw new Error(
      `@ashim/core: there is no prebuilt addon for ${platformTag()} and \`${cargo}\` was not found, ` +
        'so it cannot be built from source. Install Rust >= 1.95 (https://rustup.rs, or your ' +
        'distribution\'s cargo package) and run `npm rebuild @ashim/core`, or use linux-x64 with ' +
        'glibc >= 2.35, for which the package ships a prebuilt addon.',
    )
  }
  if (r.error) throw r.error
  if (r.status !== 0) throw new Error(`@ashim/core: \`${cargo} ${args.join(' ')}\` failed (exit ${r.status})`)

  const dir = profile === 'dev' ? 'debug' : profile
  const lib = { darwin: 'libashim_node.dylib', win32: 'ashim_node.dll' }[process.platform] || 'libashim_node.so'
  const from = path.join(targetDir, dir, lib)
  const to = path.join(root, addonFileName())
  // Copy, then rename over the old file: a process that has the old addon loaded keeps it.
  fs.copyFileSync(from, `${to}.tmp`)
  fs.renameSync(`${to}.tmp`, to)
  console.log(`@ashim/core: built ${to} from ${from}`)
  return to
}

module.exports = { build, layout }

if (require.main === module) {
  try {
    build({ release: process.argv.includes('--release') })
  } catch (e) {
    console.error(e.message)
    process.exit(1)
  }
}
