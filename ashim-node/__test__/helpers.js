// Shared test helpers: fixture lookup, magic bytes, minimal settings derived from a schema.
'use strict'

const fs = require('node:fs')
const path = require('node:path')

function fixturesDir() {
  const candidates = [
    process.env.ASHIM_FIXTURES,
    path.resolve(__dirname, '..', '..', '..', 'shared', 'fixtures'),
    path.resolve(__dirname, '..', '..', 'shared', 'fixtures'),
  ].filter(Boolean)
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'test-200x150.png')))
  if (!found) throw new Error(`fixtures not found in ${candidates.join(', ')}`)
  return found
}

const FIXTURES = fixturesDir()
const fixture = (name) => path.join(FIXTURES, name)

const MAGIC = {
  jpeg: [[0xff, 0xd8, 0xff]],
  png: [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  gif: [[0x47, 0x49, 0x46, 0x38]],
  webp: [[0x52, 0x49, 0x46, 0x46]],
  bmp: [[0x42, 0x4d]],
  tiff: [
    [0x49, 0x49, 0x2a, 0x00],
    [0x4d, 0x4d, 0x00, 0x2a],
  ],
  ico: [[0x00, 0x00, 0x01, 0x00]],
}
const MIME_FORMAT = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'image/tiff': 'tiff',
  'image/x-icon': 'ico',
}

function hasMagic(buf, format) {
  const sigs = MAGIC[format]
  if (!sigs) throw new Error(`no magic bytes known for ${format}`)
  return sigs.some((sig) => sig.every((b, i) => buf[i] === b))
}

function resolve(root, s) {
  if (typeof s.$ref === 'string' && s.$ref.startsWith('#/$defs/')) {
    const { $ref, ...rest } = s
    return { ...root.$defs[$ref.slice(8)], ...rest }
  }
  return s
}

/** A small value satisfying `schema` (enums, bounded numbers, strings, #RRGGBB colours). */
function minimalValue(root, schema) {
  const s = resolve(root, schema)
  if ('default' in s) return s.default
  if ('const' in s) return s.const
  if (Array.isArray(s.enum)) return s.enum.find((v) => v !== null)
  for (const key of ['oneOf', 'anyOf']) {
    for (const sub of s[key] || []) {
      if (resolve(root, sub).type !== 'null') return minimalValue(root, sub)
    }
  }
  const t = (Array.isArray(s.type) ? s.type : [s.type]).find((x) => x && x !== 'null')
  if (t === 'integer' || t === 'number') {
    if ('minimum' in s) return s.minimum
    if ('exclusiveMinimum' in s) return s.exclusiveMinimum + 1
    return 1
  }
  if (t === 'boolean') return false
  if (t === 'string') {
    if ((s.pattern || '').includes('[0-9A-Fa-f]{6}')) return '#336699'
    return 'ashim'.slice(0, s.maxLength ?? 5).padEnd(s.minLength ?? 1, 'a')
  }
  if (t === 'array') return Array.from({ length: s.minItems ?? 0 }, () => minimalValue(root, s.items || {}))
  if (t === 'object') return minimalSettings(s, root)
  throw new Error(`cannot derive a value for ${JSON.stringify(s)}`)
}

/**
 * The schema's first example when it has one (a tool whose settings depend on each other
 * documents a working set that way), else values for the required settings only. `root`
 * holds the `$defs` of a nested schema.
 */
function minimalSettings(schema, root) {
  if (!root && Array.isArray(schema.examples) && schema.examples[0] && typeof schema.examples[0] === 'object') {
    return { ...schema.examples[0] }
  }
  const props = schema.properties || {}
  return Object.fromEntries((schema.required || []).map((k) => [k, minimalValue(root || schema, props[k])]))
}

module.exports = { FIXTURES, fixture, hasMagic, MIME_FORMAT, minimalSettings, minimalValue }
