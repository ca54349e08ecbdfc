#!/usr/bin/env node
// Build the native addon from source and place it at ./ashim.node.
//
// Runs `cargo build -p ashim-node` in the workspace dev profile with the workspace target
// directory, so the dependency artifacts are shared with `cargo test` and the Python
// binding. (`napi build` always passes `--target <triple>`, which makes cargo build every
// dependency a second time under target/<triple>/; `npm run build:napi` still offers it.)
// ASHIM_NODE_PROFILE=release selects another cargo profile.
'use strict'

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const workspace = path.resolve(root, '..')
const profile = process.env.ASHIM_NODE_PROFILE || 'dev'
const targetDir = process.env.CARGO_TARGET_DIR || path.join(workspace, 'target')

execFileSync('cargo', ['build', '-p', 'ashim-node', '--profile', profile], {
  cwd: workspace,
  stdio: 'inherit',
  env: { ...process.env, CARGO_TARGET_DIR: targetDir },
})

const dir = profile === 'dev' ? 'debug' : profile
const lib = { darwin: 'libashim_node.dylib', win32: 'ashim_node.dll' }[process.platform] || 'libashim_node.so'
const from = path.join(targetDir, dir, lib)
const to = path.join(root, 'ashim.node')
// Copy, then rename over the old file: a process that has the old addon loaded keeps it.
fs.copyFileSync(from, `${to}.tmp`)
fs.renameSync(`${to}.tmp`, to)
console.log(`built ${path.relative(process.cwd(), to) || to} from ${from}`)
