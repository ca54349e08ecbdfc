// Specific behaviour: input kinds, each output shape, errors, off-thread execution.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { pathToFileURL } = require('node:url')
const ashim = require('..')
const { fixture, hasMagic } = require('./helpers')

const PNG = fixture('test-200x150.png')
const JPG = fixture('test-100x100.jpg')
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ashim-node-'))

test('resize accepts a path, URL, Buffer, Uint8Array, ArrayBuffer and an earlier Output', async () => {
  const bytes = fs.readFileSync(PNG)
  const u8 = new Uint8Array(bytes)
  for (const input of [PNG, pathToFileURL(PNG), bytes, u8, u8.buffer]) {
    const out = await ashim.resize(input, { width: 100 })
    assert.deepEqual([out.kind, out.format, out.width, out.height], ['image', 'png', 100, 75])
    assert.ok(hasMagic(out.data, 'png'))
  }
  const named = await ashim.resize(PNG, { width: 100 })
  assert.equal(named.name, 'test-200x150.png')
  const again = await ashim.resize(named, { width: 50 })
  assert.deepEqual([again.width, again.height, again.name], [50, 38, 'test-200x150.png'])
})

test('settings use the camelCase wire names; unknown names are refused', async () => {
  const out = ashim.resizeSync(JPG, { width: 300, withoutEnlargement: true })
  assert.deepEqual([out.width, out.height], [100, 100])
  await assert.rejects(ashim.resize(JPG, { widht: 10 }), { code: 'invalid_settings' })
  assert.throws(() => ashim.runSync('resize', JPG, { width: 1, bogus: 2 }), { code: 'invalid_settings' })
})

test('convert to JPEG and save', async () => {
  const out = await ashim.convert(PNG, { format: 'jpg', quality: 70 })
  assert.deepEqual([out.format, out.mimeType, out.name], ['jpeg', 'image/jpeg', 'test-200x150.jpg'])
  assert.ok(hasMagic(out.data, 'jpeg'))
  const dir = tmp()
  const saved = await out.save(dir)
  assert.equal(saved, path.join(dir, 'test-200x150.jpg'))
  assert.deepEqual(fs.readFileSync(saved), out.data)
})

test('zero-input tool qrGenerate', async () => {
  const out = await ashim.qrGenerate({ text: 'https://example.com/ashim', size: 300 })
  assert.deepEqual([out.width, out.height, out.format], [300, 300, 'png'])
  await assert.rejects(ashim.qrGenerate({ text: '' }), { code: 'invalid_settings' })
})

test('files output: split', async () => {
  const out = await ashim.split(PNG, { columns: 2, rows: 2, outputFormat: 'jpg' })
  assert.equal(out.kind, 'files')
  assert.equal(out.data, null)
  assert.deepEqual(
    out.files.map((f) => f.name),
    ['r1_c1', 'r1_c2', 'r2_c1', 'r2_c2'].map((s) => `test-200x150_${s}.jpg`),
  )
  for (const f of out.files) {
    assert.equal(f.mimeType, 'image/jpeg')
    assert.ok(hasMagic(f.data, 'jpeg'))
  }
  const dir = path.join(tmp(), 'tiles')
  const written = await out.save(dir)
  assert.deepEqual(fs.readdirSync(dir).sort(), out.files.map((f) => f.name).sort())
  assert.equal(written.length, 4)
})

test('many inputs: stitch', async () => {
  const out = await ashim.stitch([PNG, PNG], { direction: 'vertical', format: 'jpeg' })
  assert.deepEqual([out.format, out.width, out.height], ['jpeg', 200, 300])
  await assert.rejects(ashim.stitch([PNG]), { code: 'invalid_input' })
})

test('JSON output: info', async () => {
  const out = await ashim.info(PNG)
  assert.equal(out.kind, 'json')
  assert.deepEqual([out.json.width, out.json.height, out.json.format], [200, 150, 'png'])
  const file = path.join(tmp(), 'info.json')
  await out.save(file)
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).width, 200)
})

test('pipeline: steps as objects or ids, async and sync', async () => {
  const out = await ashim.pipeline(
    [
      { toolId: 'resize', settings: { width: 50 } },
      { toolId: 'convert', settings: { format: 'webp' } },
    ],
    PNG,
  )
  assert.deepEqual([out.format, out.width, out.height], ['webp', 50, 38])
  assert.equal(out.data.subarray(8, 12).toString(), 'WEBP')
  const report = ashim.pipelineSync([{ toolId: 'rotate', settings: { angle: 90 } }, 'info'], PNG)
  assert.deepEqual([report.json.width, report.json.height], [150, 200])
  await assert.rejects(ashim.pipeline(['info', 'resize'], PNG), (e) => e.code === 'invalid_input' && /Step 1/.test(e.message))
})

test('errors are Errors with a stable code and fields', async () => {
  assert.ok(ashim.ERROR_CODES.includes('invalid_settings') && ashim.ERROR_CODES.includes('unknown_tool'))
  await assert.rejects(ashim.resize(PNG, { width: 0 }), (e) => {
    assert.ok(e instanceof Error)
    assert.equal(e.code, 'invalid_settings')
    assert.deepEqual(e.fields, [{ path: 'width', message: 'must be at least 1' }])
    return true
  })
  await assert.rejects(ashim.resize(Buffer.from('not an image'), { width: 1 }), { code: 'unknown_format' })
  await assert.rejects(ashim.run('no-such-tool', PNG), { code: 'unknown_tool' })
  await assert.rejects(ashim.crop(PNG, { left: 190, top: 0, width: 50, height: 50 }), { code: 'unprocessable' })
  await assert.rejects(ashim.resize(path.join(path.dirname(PNG), 'missing.png'), { width: 1 }), {
    code: 'invalid_input',
  })
  await assert.rejects(ashim.resize(42, { width: 1 }), TypeError)
})

test('run() works off the JS thread: the event loop keeps turning', async () => {
  const big = ashim.resizeSync(JPG, { width: 3000 }).data
  let ticks = 0
  const timer = setInterval(() => ticks++, 2)
  const t0 = process.hrtime.bigint()
  const out = await ashim.pipeline([{ toolId: 'rotate', settings: { angle: 33 } }, { toolId: 'convert', settings: { format: 'png' } }], big)
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  clearInterval(timer)
  assert.ok(out.width > 3000)
  assert.ok(ms > 50, `the call was too quick to tell (${ms} ms)`)
  // On the JS thread no timer could fire until the call returned.
  assert.ok(ticks >= 5, `only ${ticks} timer ticks in ${ms} ms`)
})

const LOGO = fixture('test-50x50.webp')

test('watermark-image takes the named slot as an option', async () => {
  const out = await ashim.watermarkImage(PNG, { watermark: LOGO })
  assert.deepEqual([out.kind, out.width, out.height], ['image', 200, 150])
  assert.ok(hasMagic(out.data, out.format))
  assert.deepEqual(out.extra, {})
  const plain = await ashim.resize(PNG, { width: 200 })
  assert.notDeepEqual(out.data, plain.data)
  const sync = ashim.runSync('watermark-image', PNG, { watermark: fs.readFileSync(LOGO) })
  assert.deepEqual([sync.width, sync.height], [200, 150])
})

test('a missing named slot is invalid_input naming it', async () => {
  await assert.rejects(ashim.watermarkImage(PNG, {}), (e) => {
    assert.ok(e instanceof ashim.AshimError)
    assert.equal(e.code, 'invalid_input')
    assert.match(e.message, /watermark/)
    return true
  })
  assert.throws(() => ashim.runSync('watermark-image', PNG), { code: 'invalid_input', message: /watermark/ })
})

test('a sub-route is a function returning its report', async () => {
  assert.equal(ashim.toolFunctions.stripMetadataInspect, 'strip-metadata/inspect')
  const out = await ashim.stripMetadataInspect(fixture('test-with-exif.jpg'))
  assert.equal(out.kind, 'json')
  assert.equal(out.json.filename, 'test-with-exif.jpg')
  assert.equal(ashim.stripMetadataInspectSync(fixture('test-with-exif.jpg')).json.filename, 'test-with-exif.jpg')
})
