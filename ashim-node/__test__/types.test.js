// tsc accepts/rejects typed usage of index.d.ts. (That the checked-in index.d.ts matches the
// catalogue is checked in Rust: `cargo test -p ashim-tests --test stubs`.)
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const root = path.resolve(__dirname, '..')

test('tsc --strict checks the typed example (including the expected errors)', () => {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const r = spawnSync(
    process.execPath,
    [tsc, '--strict', '--noEmit', '--types', 'node', '--module', 'commonjs', '--target', 'es2022', '--skipLibCheck', 'false',
      path.join(__dirname, 'typing', 'example.ts')],
    { encoding: 'utf8', cwd: root },
  )
  assert.equal(r.status, 0, r.stdout + r.stderr)
})
