#!/usr/bin/env node
// Write index.d.ts (and ashim-py's __init__.pyi) from the tool catalogue. A thin wrapper
// around the Rust generator, which needs no native module built:
//
//   node scripts/gen-dts.js          # = cargo run -p ashim-tests --bin gen-stubs
//   node scripts/gen-dts.js --check  # exit 1 when a checked-in file is stale
//
// `cargo test -p ashim-tests --test stubs` checks the same in CI.
'use strict'

const { spawnSync } = require('node:child_process')
const path = require('node:path')

const args = ['run', '-q', '-p', 'ashim-tests', '--bin', 'gen-stubs', '--', ...process.argv.slice(2)]
const r = spawnSync('cargo', args, { cwd: path.join(__dirname, '..', '..'), stdio: 'inherit' })
process.exit(r.status ?? 1)
