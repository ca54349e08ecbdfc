// The same pipeline on the same fixture gives the same bytes in Rust, Python and Node. The
// digest is asserted by ashim-py/tests/cross_language.rs (Rust API) and
// ashim-py/tests/test_cross_language.py (Python).
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const ashim = require('..')
const { fixture } = require('./helpers')

const STEPS = JSON.parse(`[{"toolId": "resize", "settings": {"width": 64}},
  {"toolId": "rotate", "settings": {"angle": 90}},
  {"toolId": "convert", "settings": {"format": "png"}}]`)
const DIGEST = 'ee2a4df4e2290a7eb319803fa667329124d2eb318a064d69122b3c17cdf93b1b'

test('pipeline digest matches Rust and Python', async () => {
  const out = await ashim.pipeline(STEPS, fixture('test-portrait.jpg'))
  assert.equal(out.format, 'png')
  assert.equal(crypto.createHash('sha256').update(out.data).digest('hex'), DIGEST)
})
