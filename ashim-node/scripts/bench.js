#!/usr/bin/env node
// Node side of ashim-py/scripts/bench.sh: 12 MP JPEG -> 800 px wide JPEG q80 with ashim
// (and sharp when it is installed). Prints median milliseconds.
'use strict'

const fs = require('node:fs')
const ashim = require('..')

const [file, nArg] = process.argv.slice(2)
const n = Number(nArg || 10)
const data = fs.readFileSync(file)
const steps = [
  { toolId: 'resize', settings: { width: 800 } },
  { toolId: 'convert', settings: { format: 'jpg', quality: 80 } },
]

async function bench(label, fn) {
  await fn() // warm-up
  const times = []
  let out
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint()
    out = await fn()
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  times.sort((a, b) => a - b)
  console.log(`${label} median_ms=${times[Math.floor(n / 2)].toFixed(2)} min_ms=${times[0].toFixed(2)} ${out}`)
}

async function main() {
  const describe = (o) => `${o.width}x${o.height} bytes=${o.data.length}`
  await bench('node-ashim-async', async () => describe(await ashim.pipeline(steps, data)))
  await bench('node-ashim-sync', () => describe(ashim.pipelineSync(steps, data)))
  let sharp
  try {
    sharp = require(process.env.SHARP_PATH || 'sharp')
  } catch {
    console.log('sharp not installed')
    return
  }
  await bench('sharp', async () => {
    const { data: d, info } = await sharp(data).resize({ width: 800 }).jpeg({ quality: 80 }).toBuffer({ resolveWithObject: true })
    return `${info.width}x${info.height} bytes=${d.length}`
  })
}

main()
