// Every registered tool, generically: catalogue, generated functions, a real run.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const ashim = require('..')
const { fixture, hasMagic, MIME_FORMAT, minimalSettings, minimalValue } = require('./helpers')

const TOOLS = ashim.tools()

/** Output kind in the catalogue -> `Output.kind`. */
const OUTPUT_KIND = { image: 'image', json: 'json', files: 'files', fileSet: 'files', bytes: 'file' }

const positionalSlot = (tool) => tool.slots.find((s) => !s.named)

function inputsFor(tool) {
  const slot = positionalSlot(tool)
  if (!slot) return undefined
  if (slot.max === 1) {
    // Tools that refuse a photo without a face (422) get one.
    if (tool.id.startsWith('passport-photo') && tool.id !== 'passport-photo/generate') return fixture('content/portrait-color.jpg')
    return fixture('test-200x150.png')
  }
  const list = [fixture('test-200x150.png'), fixture('test-100x100.jpg')]
  while (list.length < slot.min) list.push(fixture('test-200x150.png'))
  return list
}

/** Settings plus one small image for every required named slot. */
function withSlots(tool, settings) {
  const named = {}
  for (const s of tool.slots) if (s.named && s.min > 0) named[s.name] = fixture('test-50x50.webp')
  return { ...settings, ...named }
}

/** Required settings; if the tool needs one more (resize needs a size), add one optional
 * setting at a time with a minimal value from its schema until the tool accepts them. */
function workingSettings(tool) {
  const schema = tool.settingsSchema
  const base = minimalSettings(schema)
  const attempt = (s) => {
    try {
      ashim.runSync(tool.id, inputsFor(tool), withSlots(tool, s))
      return true
    } catch (e) {
      if (e.code === 'invalid_settings' || e.code === 'unprocessable') return false
      throw e
    }
  }
  if (attempt(base)) return base
  for (const [name, prop] of Object.entries(schema.properties || {})) {
    if (name in base || 'default' in prop) continue
    const trial = { ...base, [name]: minimalValue(schema, prop) }
    if (attempt(trial)) return trial
  }
  throw new Error(`no minimal settings found for ${tool.id}`)
}

function checkOutput(tool, out) {
  assert.equal(out.kind, OUTPUT_KIND[tool.output])
  if (out.kind === 'image') {
    assert.ok(hasMagic(out.data, out.format), out.format)
    assert.ok(out.width > 0 && out.height > 0)
    assert.match(out.mimeType, /^image\//)
    assert.match(out.name, /\./)
  } else if (out.kind === 'files') {
    assert.ok(out.files.length > 0)
    for (const f of out.files) {
      assert.ok(f.name && !f.name.includes('/'))
      const fmt = MIME_FORMAT[f.mimeType]
      if (fmt) assert.ok(hasMagic(f.data, fmt), f.name)
    }
  } else {
    assert.equal(typeof out.json, 'object')
    assert.ok(Object.keys(out.json).length > 0)
  }
}

test('catalogue lists every tool once with its schema', () => {
  const ids = TOOLS.map((t) => t.id)
  assert.equal(new Set(ids).size, ids.length)
  assert.ok(ids.length >= 9)
  for (const t of TOOLS) {
    for (const key of ['id', 'name', 'description', 'category', 'slots', 'output', 'caps', 'settingsSchema', 'availability']) {
      assert.ok(key in t, `${t.id} lacks ${key}`)
    }
    assert.equal(t.settingsSchema.type, 'object')
  }
})

for (const tool of TOOLS) {
  test(`${tool.id}: runs (async, sync and generated function) with minimal settings`, async () => {
    if (tool.availability.state !== 'ready') {
      await assert.rejects(ashim.run(tool.id, inputsFor(tool), withSlots(tool, minimalSettings(tool.settingsSchema))), {
        code: 'model_not_installed',
      })
      return
    }
    const settings = withSlots(tool, workingSettings(tool))
    checkOutput(tool, await ashim.run(tool.id, inputsFor(tool), settings))
    checkOutput(tool, ashim.runSync(tool.id, inputsFor(tool), settings))
    const name = Object.keys(ashim.toolFunctions).find((n) => ashim.toolFunctions[n] === tool.id)
    assert.ok(name, `no generated function for ${tool.id}`)
    const fn = ashim[name]
    assert.equal(fn.toolId, tool.id)
    assert.equal(typeof ashim[`${name}Sync`], 'function')
    const out = positionalSlot(tool) ? await fn(inputsFor(tool), settings) : await fn(settings)
    checkOutput(tool, out)
  })

  if ((tool.settingsSchema.required || []).length > 0) {
    test(`${tool.id}: a missing required setting is invalid_settings naming the field`, async () => {
      const settings = minimalSettings(tool.settingsSchema)
      const field = tool.settingsSchema.required[0]
      delete settings[field]
      await assert.rejects(ashim.run(tool.id, inputsFor(tool), withSlots(tool, settings)), (e) => {
        assert.ok(e instanceof Error && e instanceof ashim.AshimError)
        assert.equal(e.code, 'invalid_settings')
        assert.ok(e.fields.some((f) => f.path === field), JSON.stringify(e.fields))
        return true
      })
    })
  }
}
