// Type-checked by __test__/types.test.js with `tsc --strict --noEmit`. Every
// `@ts-expect-error` line must be an error, so the declarations are checked both ways.
import * as ashim from '../..'

async function main(): Promise<void> {
  const out = await ashim.resize('photo.jpg', { width: 800, fit: 'inside' })
  const w: number = out.width
  const data: Buffer = out.data
  const qr = ashim.qrGenerateSync({ text: 'https://example.com', errorCorrection: 'H', size: 300 })
  const tiles = await ashim.split(data, { columns: 2, outputFormat: 'webp' })
  const names: string[] = tiles.files.map((f) => f.name)
  const both = await ashim.stitch([out, qr], { direction: 'grid', gridColumns: 2 })
  const report = await ashim.run('info', both)
  const fields: Record<string, unknown> = report.json
  await ashim.pipeline(['info', { toolId: 'resize', settings: { width: 10 } }], both)
  try {
    await ashim.crop(out, { left: 0, top: 0, width: 10, height: 10, unit: 'percent' })
  } catch (e) {
    if (e instanceof ashim.AshimError) console.log(e.code, e.fields, w, names, fields)
  }

  const marked = await ashim.watermarkImage(out, { watermark: 'logo.png', opacity: 50 })
  const extra: Record<string, unknown> = marked.extra
  const inspected = await ashim.stripMetadataInspect(data)
  const filename: string = inspected.json.filename
  console.log(extra, filename)

  // @ts-expect-error the watermark file is required
  await ashim.watermarkImage(data, { opacity: 50 })
  // @ts-expect-error not a field of the report
  console.log(inspected.json.noSuchField)
  // @ts-expect-error width is a number
  await ashim.resize(data, { width: 'wide' })
  // @ts-expect-error not a fit mode
  await ashim.resize(data, { fit: 'squash' })
  // @ts-expect-error text is required
  await ashim.qrGenerate({})
  // @ts-expect-error height is required
  await ashim.crop(data, { left: 0, top: 0, width: 1 })
  // @ts-expect-error unknown setting
  await ashim.resize(data, { widht: 10 })
  // @ts-expect-error settings of another tool
  await ashim.run('rotate', data, { width: 10 })
  // @ts-expect-error unknown tool in a pipeline
  await ashim.pipeline(['no-such-tool'], data)
}

void main
