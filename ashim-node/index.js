// @ashim/core: the ashim image toolkit for Node.js.
//
// Every tool of the Rust core registry is available through run(toolId, ...) and as one
// camelCase function per tool, generated here at load time from the catalogue (the
// native addon's settings schemas), so tools added to the core need no change here.
'use strict'

const fs = require('node:fs')
const fsp = require('node:fs/promises')
const path = require('node:path')

const { addonFileName, platformTag } = require('./platform.js')

const native = loadAddon()

/**
 * The native addon for this machine: `ashim.<platform tag>.node`, shipped prebuilt in the
 * package (linux-x64-gnu) or built from source by the install script (scripts/install.js).
 */
function loadAddon() {
  const file = path.join(__dirname, addonFileName())
  try {
    return require(file)
  } catch (e) {
    if (e && e.code === 'MODULE_NOT_FOUND' && !fs.existsSync(file)) {
      throw new Error(
        `@ashim/core: no native addon for ${platformTag()} (${file} is missing). ` +
          'The package ships a prebuilt addon for linux-x64 (glibc); elsewhere its install script ' +
          'builds one from the bundled Rust sources: install Rust >= 1.95 (cargo on PATH) and run ' +
          '`npm rebuild @ashim/core`.',
      )
    }
    e.message = `@ashim/core: cannot load ${file}: ${e.message}`
    throw e
  }
}

/** An ashim error: a normal `Error` with a stable `.code` and `.fields`. */
class AshimError extends Error {
  constructor(code, message, fields = []) {
    super(message)
    this.name = 'AshimError'
    this.code = code
    this.fields = fields
  }
}

/** Every stable error code. */
const ERROR_CODES = Object.freeze(native.errorCodes())

/** One output file of a tool that produces several (e.g. `split`). */
class OutputFile {
  constructor(name, data, mimeType) {
    this.name = name
    this.data = data
    this.mimeType = mimeType
  }

  /** Write the file to `target` (a directory gets `this.name` inside it). Returns the path. */
  async save(target) {
    const file = isDir(target) ? path.join(target, this.name) : target
    await fsp.writeFile(file, this.data)
    return file
  }
}

function isDir(p) {
  try {
    return fs.statSync(p).isDirectory()
  } catch {
    return false
  }
}

/**
 * The result of a tool or pipeline: `kind` is `image` (with `extra`, the extra envelope
 * fields such as `similarity`, usually `{}`), `files` (a ZIP's files or a file set),
 * `file` (raw bytes: `data`, `name`, `mimeType`, and `files` with that one file) or `json`.
 */
class Output {
  constructor(n) {
    this.kind = n.kind
    this.data = n.data ?? null
    this.format = n.format ?? null
    this.width = n.width ?? null
    this.height = n.height ?? null
    this.name = n.name ?? null
    this.mimeType = n.mimeType ?? null
    this.files = n.files ? n.files.map((f) => new OutputFile(f.name, f.data, f.mimeType)) : null
    this.json = n.json != null ? JSON.parse(n.json) : null
    this.extra = n.extra != null ? JSON.parse(n.extra) : null
  }

  /**
   * Write the result: an image to `target` (inside it, named `.name`, when `target` is a
   * directory); every file of a files output into the directory `target` (created if
   * needed); a JSON report as pretty JSON. Returns the written path(s).
   */
  async save(target) {
    if (this.kind === 'files') {
      await fsp.mkdir(target, { recursive: true })
      return Promise.all(this.files.map((f) => f.save(path.join(target, f.name))))
    }
    if (this.kind === 'json') {
      await fsp.writeFile(target, JSON.stringify(this.json, null, 2))
      return target
    }
    const file = isDir(target) && this.name ? path.join(target, this.name) : target
    await fsp.writeFile(file, this.data)
    return file
  }
}

function unwrap(n) {
  if (n.kind === 'error') {
    throw new AshimError(n.error.code, n.error.message, n.error.fields)
  }
  return new Output(n)
}

/** Convert one input (Buffer, Uint8Array, ArrayBuffer, path string or URL, Output) for the addon. */
function toNative(input) {
  if (input instanceof Output || input instanceof OutputFile) {
    if (!input.data) throw new TypeError(`a ${input.kind} output cannot be an input image`)
    return { data: input.data, name: input.name ?? undefined }
  }
  if (Buffer.isBuffer(input)) return { data: input }
  if (ArrayBuffer.isView(input)) return { data: Buffer.from(input.buffer, input.byteOffset, input.byteLength) }
  if (input instanceof ArrayBuffer) return { data: Buffer.from(input) }
  if (typeof input === 'string') return { path: input }
  if (input instanceof URL) return { path: require('node:url').fileURLToPath(input) }
  throw new TypeError('an input must be a Buffer, Uint8Array, ArrayBuffer, path or Output')
}

/** The named slots of a tool (`watermark`, `mask`, ...). */
function namedSlots(tool) {
  return (tool?.slots ?? []).filter((s) => s.named).map((s) => s.name)
}

/** Split `settings` into wire settings and named-slot inputs. */
function splitOptions(tool, options) {
  const slots = namedSlots(tool)
  if (!options || typeof options !== 'object' || Array.isArray(options) || slots.length === 0) {
    return { settings: options, named: [] }
  }
  const settings = {}
  const named = []
  for (const [key, value] of Object.entries(options)) {
    if (slots.includes(key)) {
      if (value !== undefined && value !== null) named.push({ ...toNative(value), slot: key })
    } else {
      settings[key] = value
    }
  }
  return { settings, named }
}

function inputsFor(tool, input) {
  if (input === undefined || input === null) return []
  return Array.isArray(input) ? input.map(toNative) : [toNative(input)]
}

function nativeArgs(toolId, input, options) {
  const tool = byId.get(toolId)
  const { settings, named } = splitOptions(tool, options)
  return [toolId, [...inputsFor(tool, input), ...named], settingsJson(toolId, settings)]
}

const catalogue = JSON.parse(native.catalogueJson())
const byId = new Map(catalogue.map((t) => [t.id, t]))

/**
 * The catalogue: id, name, description, category, slots, output, caps, settingsSchema,
 * reportSchema (when it has one), availability and, where set, route, aliases, formFields.
 */
function tools() {
  return JSON.parse(native.catalogueJson())
}

/** Check setting names against the schema (the core ignores unknown keys; typos should not pass). */
function settingsJson(toolId, settings) {
  if (settings !== undefined && (settings === null || typeof settings !== 'object' || Array.isArray(settings))) {
    throw new TypeError(`settings of ${toolId} must be an object`)
  }
  const props = byId.get(toolId)?.settingsSchema?.properties
  const clean = {}
  for (const [key, value] of Object.entries(settings || {})) {
    if (value === undefined || value === null) continue
    if (props && !(key in props)) {
      throw new AshimError('invalid_settings', `${toolId} has no setting "${key}"`, [
        { path: key, message: `unknown setting (known: ${Object.keys(props).join(', ') || 'none'})` },
      ])
    }
    clean[key] = value
  }
  return JSON.stringify(clean)
}

/**
 * Run a tool off the JS thread. `input` is one image, an array of images, or undefined for
 * tools that take none; `settings` uses the wire (camelCase) names, and files of named
 * slots are properties too (`{ watermark: 'logo.png', opacity: 50 }`).
 */
async function run(toolId, input, settings) {
  return unwrap(await native.run(...nativeArgs(toolId, input, settings)))
}

/** Run a tool on the calling thread. */
function runSync(toolId, input, settings) {
  return unwrap(native.runSync(...nativeArgs(toolId, input, settings)))
}

function stepsJson(steps) {
  if (!Array.isArray(steps)) throw new TypeError('pipeline steps must be an array')
  return JSON.stringify(
    steps.map((s) => {
      const step = typeof s === 'string' ? { toolId: s } : s
      return { toolId: step.toolId, settings: JSON.parse(settingsJson(step.toolId, step.settings)) }
    }),
  )
}

/** Run steps (`{toolId, settings}` or a tool id) on one image off the JS thread: one decode, one encode. */
async function pipeline(steps, input) {
  return unwrap(await native.pipeline(stepsJson(steps), toNative(input)))
}

/** `pipeline` on the calling thread. */
function pipelineSync(steps, input) {
  return unwrap(native.pipelineSync(stepsJson(steps), toNative(input)))
}

/** `qr-generate` -> `qrGenerate`; `strip-metadata/inspect` -> `stripMetadataInspect`. */
function functionName(toolId) {
  return toolId.replace(/[-_/]+([a-z0-9])/g, (_, c) => c.toUpperCase())
}

const RESERVED = new Set(['run', 'runSync', 'pipeline', 'pipelineSync', 'tools', 'AshimError', 'Output', 'OutputFile'])

/** Function name -> tool id, for every generated tool function (async; each also has a `Sync` twin). */
const toolFunctions = {}

function makeToolFunctions(tool) {
  const noInput = !(tool.slots ?? []).some((s) => !s.named)
  const asyncFn = noInput ? (settings) => run(tool.id, undefined, settings) : (input, settings) => run(tool.id, input, settings)
  const syncFn = noInput
    ? (settings) => runSync(tool.id, undefined, settings)
    : (input, settings) => runSync(tool.id, input, settings)
  let name = functionName(tool.id)
  if (RESERVED.has(name)) name += 'Tool'
  for (const [fn, n] of [
    [asyncFn, name],
    [syncFn, `${name}Sync`],
  ]) {
    Object.defineProperty(fn, 'name', { value: n })
    Object.defineProperty(fn, 'toolId', { value: tool.id })
    Object.defineProperty(fn, 'description', { value: tool.description })
    module.exports[n] = fn
  }
  toolFunctions[name] = tool.id
}

module.exports = {
  AshimError,
  ERROR_CODES,
  Output,
  OutputFile,
  functionName,
  pipeline,
  pipelineSync,
  run,
  runSync,
  toolFunctions,
  tools,
}
for (const tool of catalogue) makeToolFunctions(tool)
