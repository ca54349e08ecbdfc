// Which prebuilt addon file belongs to this machine: `ashim.<tag>.node`, with the napi-rs
// platform tags (linux-x64-gnu, linux-x64-musl, darwin-arm64, win32-x64-msvc, ...).
// Shared by index.js (loading) and scripts/build.js / scripts/install.js (building).
'use strict'

/** True on a musl libc (Alpine): Node reports a glibc runtime version only on glibc. */
function isMusl() {
  const report = process.report && typeof process.report.getReport === 'function' ? process.report.getReport() : null
  const header = report && (typeof report === 'string' ? JSON.parse(report).header : report.header)
  return !(header && header.glibcVersionRuntime)
}

/** The napi-rs platform tag of this process, e.g. `linux-x64-gnu`. */
function platformTag(platform = process.platform, arch = process.arch) {
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

/** The addon's file name for this machine, e.g. `ashim.linux-x64-gnu.node`. */
function addonFileName() {
  return `ashim.${platformTag()}.node`
}

module.exports = { platformTag, addonFileName }
