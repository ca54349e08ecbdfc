#!/usr/bin/env node
// The package's install script.
// - From the npm tarball: use the prebuilt addon when there is one for this machine and it
//   loads (linux-x64 with glibc); otherwise build it from the bundled Rust sources
//   (native/, release profile), or say clearly what is missing.
// - In the repository: always build from the workspace (dev profile; scripts/build.js).
// ASHIM_NODE_BUILD_FROM_SOURCE=1 skips the prebuilt addon.
'use strict'

const fs = require('node:fs')
const path = require('node:path')
const { addonFileName, platformTag } = require('../platform.js')
const { build, layout } = require('./build.js')

function main() {
  const file = path.resolve(__dirname, '..', addonFileName())
  const fromSource = process.env.ASHIM_NODE_BUILD_FROM_SOURCE === '1'
  if (layout().kind === 'package' && !fromSource && fs.existsSync(file)) {
    try {
      require(file)
      console.log(`@ashim/core: using the prebuilt addon for ${platformTag()}`)
      return
    } catch (e) {
      console.log(`@ashim/core: the prebuilt ${path.basename(file)} does not load here (${e.message}); building from source`)
    }
  }
  build()
}

try {
  main()
} catch (e) {
  console.error(e.message)
  process.exit(1)
}
