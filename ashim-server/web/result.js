// Rendering of tool results: the envelope (before/after preview, figures, download),
// JSON reports (readable tables, colour swatches, text), and binary replies (ZIP, bytes).

import { fetchBlob } from "/api.js";
import { bytes, h, humanize, saveAs } from "/dom.js";

const SHOWABLE = /^image\/(png|jpeg|gif|webp|svg\+xml|bmp|avif|x-icon|vnd\.microsoft\.icon)$/;
const COLOUR = /^#[0-9a-f]{6}([0-9a-f]{2})?$/i;
const SIZE_KEY = /size$/i;

function isDownload(v) {
  return typeof v === "string" && v.startsWith("/api/v1/download/");
}

function fileNameOf(url) {
  return decodeURIComponent(url.split("?")[0].split("/").pop() || "download");
}

/** A button that fetches `url` and saves it. */
export function downloadButton(url, label, name) {
  const btn = h("button.primary", { type: "button", "data-download": url }, label || `Download ${name || fileNameOf(url)}`);
  btn.addEventListener("click", async () => {
    btn.disabled = true;
    try {
      const f = await fetchBlob(url);
      saveAs(f.url, name || f.name);
    } finally {
      btn.disabled = false;
    }
  });
  return btn;
}

function figure(label, img, caption) {
  return h("figure.pane", img, h("figcaption", label, caption ? h("span.dims", caption) : null));
}

function imgWithDims(url, alt) {
  const img = h("img", { src: url, alt });
  const cap = h("span.dims");
  img.addEventListener("load", () => (cap.textContent = ` ${img.naturalWidth} × ${img.naturalHeight}`));
  return [img, cap];
}

function scalar(v, key) {
  if (typeof v === "string" && COLOUR.test(v)) {
    const sw = h("span.swatch", { title: v, "aria-hidden": "true" });
    sw.style.background = v;
    return h("span.colour", sw, h("code", v));
  }
  if (typeof v === "number" && key && SIZE_KEY.test(key)) return v < 1024 ? bytes(v) : `${bytes(v)} (${v.toLocaleString()} B)`;
  if (isDownload(v)) return downloadButton(v, `Download ${fileNameOf(v)}`);
  if (typeof v === "string" && v.startsWith("data:image/")) return h("img.thumb", { src: v, alt: key || "image" });
  if (typeof v === "string" && (v.includes("\n") || v.length > 120)) return h("pre.text", v);
  if (v === null) return h("span.muted", "—");
  if (typeof v === "number" && !Number.isInteger(v)) return String(Number(v.toPrecision(6)));
  return String(v);
}

const isObj = (x) => x !== null && typeof x === "object" && !Array.isArray(x);

/** One level of nested objects spread into columns: {box: {x, y}} -> {"box x", "box y"}. */
function spread(row) {
  const out = {};
  for (const [k, x] of Object.entries(row)) {
    if (isObj(x) && Object.values(x).every((y) => y === null || typeof y !== "object")) {
      for (const [k2, y] of Object.entries(x)) out[`${k} ${k2}`] = y;
    } else out[k] = x;
  }
  return out;
}

/** Readable rendering of any JSON value. */
export function renderValue(v, key, depth = 0) {
  if (v === null || typeof v !== "object") return scalar(v, key);
  if (Array.isArray(v)) {
    if (!v.length) return h("span.muted", "none");
    if (v.every((x) => x === null || typeof x !== "object")) {
      return h("ul.inline-list", v.map((x) => h("li", scalar(x, key))));
    }
    if (v.every(isObj)) {
      v = v.map(spread);
      const keys = [...new Set(v.flatMap((x) => Object.keys(x)))];
      const flat = keys.every((k) => v.every((x) => x[k] === undefined || x[k] === null || typeof x[k] !== "object"));
      if (flat && keys.length <= 12) {
        return h("div.table-wrap", h("table.report",
          h("thead", h("tr", keys.map((k) => h("th", { scope: "col" }, humanize(k))))),
          h("tbody", v.map((x) => h("tr", keys.map((k) => h("td", x[k] === undefined ? "" : scalar(x[k], k))))))));
      }
    }
    return h("ol.obj-list", v.map((x) => h("li", renderValue(x, key, depth + 1))));
  }
  // Plain figures and text first, then lists and nested reports.
  const nested = (x) => x !== null && typeof x === "object";
  const entries = Object.entries(v).sort(([, a], [, b]) => nested(a) - nested(b));
  if (!entries.length) return h("span.muted", "empty");
  return h("dl.report", entries.flatMap(([k, x]) => [h("dt", humanize(k)), h("dd", renderValue(x, k, depth + 1))]));
}

/** Entries of a ZIP blob [{name, blob}] (stored or deflated), read in the browser. */
async function unzip(blob) {
  const buf = new Uint8Array(await blob.arrayBuffer());
  const dv = new DataView(buf.buffer);
  let eocd = buf.length - 22;
  while (eocd >= 0 && dv.getUint32(eocd, true) !== 0x06054b50) eocd -= 1;
  if (eocd < 0) return [];
  const count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const out = [];
  for (let i = 0; i < count && p + 46 <= buf.length; i += 1) {
    if (dv.getUint32(p, true) !== 0x02014b50) break;
    const method = dv.getUint16(p + 10, true);
    const csize = dv.getUint32(p + 20, true);
    const nlen = dv.getUint16(p + 28, true);
    const skip = nlen + dv.getUint16(p + 30, true) + dv.getUint16(p + 32, true);
    const local = dv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(buf.subarray(p + 46, p + 46 + nlen));
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    const raw = new Blob([buf.subarray(start, start + csize)]);
    const data = method === 8 ? await new Response(raw.stream().pipeThrough(new DecompressionStream("deflate-raw"))).blob() : raw;
    out.push({ name, blob: data });
    p += 46 + skip;
  }
  return out;
}

const IMAGE_EXT = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp", gif: "image/gif", avif: "image/avif", bmp: "image/bmp", svg: "image/svg+xml", ico: "image/x-icon" };

/** Thumbnails of the images inside a ZIP (tiles, pages, frames), at most 60. */
async function zipGallery(blob) {
  let entries;
  try {
    entries = await unzip(blob);
  } catch {
    return null;
  }
  if (!entries.length) return null;
  const list = h("ul.zip-gallery", { "aria-label": "Files in the ZIP" });
  for (const e of entries.slice(0, 60)) {
    const type = IMAGE_EXT[(e.name.split(".").pop() || "").toLowerCase()];
    const url = URL.createObjectURL(type ? new Blob([e.blob], { type }) : e.blob);
    const link = h("a", { href: url, download: e.name.split("/").pop(), "aria-label": `Download ${e.name}` },
      type ? h("img", { src: url, alt: "" }) : h("span.no-thumb", "file"));
    list.append(h("li", link, h("span.muted", `${e.name} · ${bytes(e.blob.size)}`)));
  }
  if (entries.length > 60) list.append(h("li.muted", `and ${entries.length - 60} more`));
  return list;
}

/**
 * Show a result in `box`. `res` is {json} or {blob, name, type}; `inputs` the uploaded Files.
 * Returns the primary output as {url, name, blob} when there is one (for saving).
 */
export async function showResult(box, res, inputs = []) {
  box.replaceChildren();
  box.hidden = false;
  box.append(h("h2", { id: "result-title", tabindex: "-1" }, "Result"));
  if (res.blob) {
    const url = URL.createObjectURL(res.blob);
    if (SHOWABLE.test(res.type || "")) {
      const [img, cap] = imgWithDims(url, "Result");
      box.append(h("div.compare", figure("After", img, cap)));
    }
    box.append(h("dl.report", h("dt", "File"), h("dd", res.name), h("dt", "Size"), h("dd", bytes(res.blob.size))));
    if (/zip/.test(res.type || "") || /\.zip$/i.test(res.name)) {
      const gallery = await zipGallery(res.blob);
      if (gallery) box.append(gallery);
    }
    const btn = h("button.primary", { type: "button", "data-download": res.name }, `Download ${res.name}`);
    btn.addEventListener("click", () => saveAs(url, res.name));
    box.append(h("div.actions", btn));
    return { url, name: res.name, blob: res.blob };
  }
  const body = res.json || {};
  if (typeof body.downloadUrl === "string") {
    const out = await fetchBlob(body.downloadUrl);
    const panes = h("div.compare");
    const first = inputs.find((f) => SHOWABLE.test(f.type));
    if (first) {
      const [img, cap] = imgWithDims(URL.createObjectURL(first), `Before: ${first.name}`);
      panes.append(figure("Before", img, cap));
    }
    let shown = null;
    if (SHOWABLE.test(out.type)) shown = out.url;
    else if (body.previewUrl) shown = (await fetchBlob(body.previewUrl)).url;
    if (shown) {
      const [img, cap] = imgWithDims(shown, `After: ${out.name}`);
      panes.append(figure("After", img, cap));
    }
    if (panes.childNodes.length) box.append(panes);
    const figures = {};
    for (const [k, v] of Object.entries(body)) {
      if (["jobId", "downloadUrl", "previewUrl"].includes(k)) continue;
      figures[k] = v;
    }
    if (typeof body.originalSize === "number" && typeof body.processedSize === "number" && body.originalSize > 0) {
      const pct = ((1 - body.processedSize / body.originalSize) * 100).toFixed(1);
      figures.change = `${pct >= 0 ? pct + "% smaller" : -pct + "% larger"}`;
    }
    box.append(renderValue(figures));
    const dl = h("button.primary", { type: "button", "data-download": out.name }, `Download ${out.name}`);
    dl.addEventListener("click", () => saveAs(out.url, out.name));
    box.append(h("div.actions", dl));
    return { url: out.url, name: out.name, blob: out.blob };
  }
  box.append(h("div.report-box", renderValue(body)));
  const blob = new Blob([JSON.stringify(body, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const dl = h("button", { type: "button" }, "Download JSON");
  dl.addEventListener("click", () => saveAs(url, "report.json"));
  box.append(h("details.raw", h("summary", "Raw JSON"), h("pre", JSON.stringify(body, null, 2))), h("div.actions", dl));
  return null;
}
