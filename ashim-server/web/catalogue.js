// The tool catalogue (GET /api/v1/tools), normalised so pages work with both the
// current `inputs` arity and the tool-model-v2 `slots`/`caps` fields.

import { api } from "/api.js";
import { h, humanize, mount } from "/dom.js";

let cache = null;

function slotsOf(t) {
  if (Array.isArray(t.slots)) {
    return t.slots.map((s) => ({
      name: s.name || "file",
      named: !!s.named,
      min: s.min ?? 1,
      max: s.max ?? null,
      accepts: s.accepts,
      description: s.description || "",
    }));
  }
  const i = t.inputs || {};
  if (i.kind === "none") return [];
  if (i.kind === "many") return [{ name: "files", named: false, min: i.min ?? 1, max: null, accepts: "image" }];
  return [{ name: "file", named: false, min: 1, max: 1, accepts: "image" }];
}

function capsOf(t, slots) {
  const c = t.caps || {};
  const single = slots.length === 1 && !slots[0].named && slots[0].max === 1;
  return {
    pipeline: c.pipeline ?? single,
    batch: c.batch ?? single,
    jsonBody: c.jsonBody ?? c.json_body ?? slots.length === 0,
  };
}

/** Normalise one catalogue entry. */
export function normalise(t) {
  const slots = slotsOf(t);
  return {
    id: t.id,
    name: t.name || humanize(t.id),
    description: t.description || "",
    category: t.category || "other",
    output: t.output,
    slots,
    caps: capsOf(t, slots),
    availability: t.availability || { state: "ready" },
    schema: t.settingsSchema || t.settings_schema || { type: "object", properties: {} },
    reportSchema: t.reportSchema || null,
    formFields: t.formFields || t.form_fields || [],
  };
}

/** All tools the instance offers (minus `disabledTools`). */
export async function tools(disabled = []) {
  if (!cache) {
    const body = await api("/api/v1/tools");
    cache = (body.tools || []).map(normalise);
  }
  return cache.filter((t) => !disabled.includes(t.id));
}

export function forget() {
  cache = null;
}

function accepts(slot) {
  const a = slot.accepts;
  if (!a || a === "image" || (a && a.kind === "image")) return "image/*,.heic,.heif,.jxl,.psd,.tga,.exr,.hdr,.dng,.cr2,.nef,.arw,.orf,.rw2,.svg,.ico";
  if (a === "anyFile" || (a && a.kind === "anyFile")) return "";
  const list = Array.isArray(a) ? a : a.formats || a.Formats;
  if (!Array.isArray(list)) return "";
  const alias = { jpeg: [".jpg", ".jpeg"], tiff: [".tif", ".tiff"], heif: [".heif", ".heic"], svg: [".svg"], pdf: [".pdf"] };
  return list
    .flatMap((f) => {
      const k = String(f).toLowerCase();
      return [...(alias[k] || [`.${k}`]), k === "pdf" ? "application/pdf" : `image/${k === "svg" ? "svg+xml" : k}`];
    })
    .join(",");
}
export { accepts as acceptAttr };

/** A category id as a heading: "ai" -> "AI", "adjust" -> "Adjust". */
const categoryTitle = (cat) => (cat.length <= 2 ? cat.toUpperCase() : humanize(cat));

/** The catalogue page: search box and tools grouped by category. */
export async function cataloguePage(main, ctx) {
  const list = await tools(ctx.disabled);
  const search = h("input", { type: "search", id: "tool-search", placeholder: "Search tools…", "aria-label": "Search tools" });
  const groups = h("div.groups");
  function render() {
    const q = search.value.trim().toLowerCase();
    const byCat = new Map();
    for (const t of list) {
      if (q && !`${t.name} ${t.id} ${t.description} ${t.category}`.toLowerCase().includes(q)) continue;
      if (!byCat.has(t.category)) byCat.set(t.category, []);
      byCat.get(t.category).push(t);
    }
    mount(groups);
    if (!byCat.size) groups.append(h("p.muted", "No tool matches."));
    for (const [cat, ts] of byCat) {
      groups.append(
        h("section.group-block", { "aria-label": categoryTitle(cat) },
          h("h2", categoryTitle(cat)),
          h("ul.tool-grid", ts.map((t) =>
            h("li", h("a.tool-card", { href: `/tools/${t.id}`, "data-tool": t.id },
              h("strong", t.name),
              h("span.muted", t.description),
              t.availability.state !== "ready" ? h("span.badge", "not installed") : null))))));
    }
  }
  search.addEventListener("input", render);
  render();
  mount(main, h("h1", "Tools"), h("div.search-row", search), groups);
  search.focus();
}
