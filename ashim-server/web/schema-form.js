// A form generated from a tool's settings JSON Schema (draft 2020-12 as schemars writes it).
// enums -> select, bounded numbers -> slider + number, booleans -> switch, #RRGGBB strings ->
// colour picker, nested objects -> fieldsets, anything else -> text or a JSON field.
// Nothing here knows any tool: the schema is the only input.

import { h, humanize, nextId } from "/dom.js";

function resolve(root, s) {
  let guard = 0;
  while (s && s.$ref && guard++ < 20) {
    const name = s.$ref.replace(/^#\/(\$defs|definitions)\//, "");
    s = { ...((root.$defs || root.definitions || {})[name] || {}), ...withoutRef(s) };
  }
  return s || {};
}

function withoutRef(s) {
  const { $ref, ...rest } = s;
  return rest;
}

/** Strip `null` from a union: returns [schema, nullable]. */
function unwrapNullable(root, s) {
  s = resolve(root, s);
  for (const key of ["anyOf", "oneOf"]) {
    const alts = s[key];
    if (Array.isArray(alts) && alts.some((a) => a.type === "null")) {
      const rest = alts.filter((a) => a.type !== "null");
      if (rest.length === 1) {
        const { [key]: _, ...outer } = s;
        return [{ ...resolve(root, rest[0]), ...outer }, true];
      }
    }
  }
  if (Array.isArray(s.type) && s.type.includes("null")) {
    const t = s.type.filter((x) => x !== "null");
    return [{ ...s, type: t.length === 1 ? t[0] : t }, true];
  }
  return [s, false];
}

/** Enum choices [{value, label, help}] or null. */
function choices(root, s) {
  if (Array.isArray(s.enum)) return s.enum.map((v) => ({ value: v, label: String(v) }));
  const alts = s.oneOf || s.anyOf;
  if (Array.isArray(alts) && alts.length) {
    const out = [];
    for (const a0 of alts) {
      const a = resolve(root, a0);
      if ("const" in a) out.push({ value: a.const, label: String(a.const), help: a.description });
      else if (Array.isArray(a.enum)) for (const v of a.enum) out.push({ value: v, label: String(v), help: a.description });
      else return null;
    }
    return out;
  }
  return null;
}

function isColour(s) {
  return s.type === "string" && (s.format === "color" || /#\[0-9A-Fa-f\]\{6\}/.test(s.pattern || "") || /#\[0-9a-fA-F\]\{6\}/.test(s.pattern || ""));
}

function numberType(s) {
  return s.type === "integer" || s.type === "number";
}

/** Text with `code` spans as <code> elements. */
function richText(text) {
  return String(text).split("`").map((part, i) => (i % 2 ? h("code", part) : part));
}

/**
 * Build the form. Returns {el, collect(), showErrors(details) -> unmatched, clearErrors()}.
 * `prefix` namespaces ids; `initial` pre-fills values (saved pipelines).
 */
export function schemaForm(schema, { initial = {}, idPrefix = "s", order = [] } = {}) {
  const root = schema || {};
  const fields = new Map(); // path -> {wrap, errEl, controls, get}
  const el = h("div.schema-form");
  const top = resolve(root, root);
  build(el, top, "", initial || {});
  if (!fields.size) el.append(h("p.muted", "This tool has no settings."));

  function build(container, objSchema, prefix, init) {
    const props = objSchema.properties || {};
    const required = new Set(objSchema.required || []);
    // The tool's preferred order (catalogue `formFields`) first, then required fields,
    // then the rest in the schema's order.
    const rank = (k) => {
      const i = (prefix ? [] : order || []).indexOf(k);
      if (i >= 0) return i;
      return required.has(k) ? 1e6 : 2e6;
    };
    const keys = Object.keys(props).sort((a, b) => rank(a) - rank(b));
    for (const key of keys) {
      const raw = props[key];
      const path = prefix ? `${prefix}.${key}` : key;
      const [s, nullable] = unwrapNullable(root, raw);
      const value = init && key in init ? init[key] : undefined;
      container.append(field(path, key, s, { required: required.has(key) && !nullable, value, raw }));
    }
  }

  function field(path, key, s, { required, value, raw }) {
    const id = nextId(idPrefix);
    const label = s.title || raw.title || humanize(key);
    const help = s.description || raw.description;
    const def = "default" in raw ? raw.default : s.default;
    const initial = value !== undefined ? value : def;
    const errEl = h("p.field-error", { id: `${id}-err`, hidden: true });
    const helpEl = help ? h("p.help", { id: `${id}-help` }, richText(help)) : null;
    const describedBy = [helpEl && `${id}-help`, `${id}-err`].filter(Boolean).join(" ");
    const wrap = h("div.field", { "data-path": path });
    let get;
    let controls = [];
    const opts = choices(root, s);

    if (s.type === "object" && s.properties) {
      const fs = h("fieldset.group", h("legend", label));
      if (helpEl) fs.append(helpEl);
      build(fs, s, path, initial || {});
      wrap.append(fs, errEl);
      fields.set(path, { wrap, errEl, controls: [], get: () => undefined, group: true });
      return wrap;
    } else if (opts) {
      const sel = h("select", { id, name: path, "aria-describedby": describedBy });
      if (!required || initial === undefined) sel.append(h("option", { value: "" }, def === undefined ? "— not set —" : "— default —"));
      opts.forEach((o, i) => sel.append(h("option", { value: String(i), title: o.help || "" }, o.label)));
      const idx = opts.findIndex((o) => o.value === initial);
      if (idx >= 0) sel.value = String(idx);
      get = () => (sel.value === "" ? undefined : opts[Number(sel.value)].value);
      controls = [sel];
      wrap.append(h("label", { for: id }, label), sel);
    } else if (s.type === "boolean") {
      const cb = h("input", { type: "checkbox", id, name: path, role: "switch", "aria-describedby": describedBy });
      cb.checked = initial === true;
      let touched = false;
      cb.addEventListener("change", () => (touched = true));
      get = () => (def !== undefined || touched || value !== undefined ? cb.checked : undefined);
      controls = [cb];
      wrap.classList.add("switch-field");
      wrap.append(h("label.switch", { for: id }, cb, h("span.track", { "aria-hidden": "true" }), h("span", label)));
    } else if (numberType(s)) {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum : undefined);
      const max = s.maximum ?? s.exclusiveMaximum;
      const step = s.type === "integer" ? 1 : s.multipleOf || "any";
      const num = h("input", { type: "number", id, name: path, step, "aria-describedby": describedBy });
      if (min !== undefined) num.min = min;
      if (max !== undefined) num.max = max;
      if (initial !== undefined && initial !== null) num.value = initial;
      controls = [num];
      const row = h("div.num-row");
      if (min !== undefined && max !== undefined && isFinite(min) && isFinite(max) && max - min <= 100000) {
        const range = h("input", {
          type: "range", min, max, step: s.type === "integer" ? 1 : (max - min) / 200,
          "aria-label": `${label} slider`, tabindex: "-1",
        });
        range.value = num.value === "" ? (def ?? min) : num.value;
        const mark = () => range.classList.toggle("unset", num.value === "");
        range.addEventListener("input", () => { num.value = range.value; mark(); });
        num.addEventListener("input", () => { if (num.value !== "") range.value = num.value; mark(); });
        mark();
        row.append(range);
        controls.push(range);
      }
      row.append(num);
      get = () => {
        if (num.value.trim() === "") return undefined;
        const n = Number(num.value);
        return Number.isNaN(n) ? num.value : n;
      };
      wrap.append(h("label", { for: id }, label), row);
    } else if (isColour(s)) {
      const text = h("input", { type: "text", id, name: path, placeholder: "#RRGGBB", "aria-describedby": describedBy, size: 9 });
      const pick = h("input", { type: "color", "aria-label": `${label} colour picker` });
      if (typeof initial === "string") {
        text.value = initial;
        if (/^#[0-9a-f]{6}$/i.test(initial)) pick.value = initial.toLowerCase();
      }
      pick.addEventListener("input", () => (text.value = pick.value.toUpperCase()));
      text.addEventListener("input", () => { if (/^#[0-9a-f]{6}$/i.test(text.value)) pick.value = text.value.toLowerCase(); });
      get = () => (text.value.trim() === "" ? undefined : text.value.trim());
      controls = [text, pick];
      wrap.append(h("label", { for: id }, label), h("div.colour-row", pick, text));
    } else if (s.type === "string") {
      const long = (s.maxLength || 0) > 200;
      const inp = long
        ? h("textarea", { id, name: path, rows: 3, "aria-describedby": describedBy })
        : h("input", { type: "text", id, name: path, "aria-describedby": describedBy });
      if (s.maxLength) inp.maxLength = s.maxLength;
      if (typeof initial === "string") inp.value = initial;
      get = () => (inp.value === "" ? undefined : inp.value);
      controls = [inp];
      wrap.append(h("label", { for: id }, label), inp);
    } else if (s.type === "array" && s.items && choices(root, resolve(root, s.items))) {
      const items = choices(root, resolve(root, s.items));
      const fs = h("fieldset.group", { "aria-describedby": describedBy }, h("legend", label));
      const boxes = items.map((o) => {
        const cid = nextId(idPrefix);
        const cb = h("input", { type: "checkbox", id: cid, value: String(o.value) });
        cb.checked = Array.isArray(initial) && initial.includes(o.value);
        fs.append(h("label.check", { for: cid }, cb, ` ${o.label}`));
        return [cb, o.value];
      });
      get = () => {
        const v = boxes.filter(([cb]) => cb.checked).map(([, v]) => v);
        return v.length || initial !== undefined ? v : undefined;
      };
      controls = boxes.map(([cb]) => cb);
      wrap.append(fs);
    } else {
      // Arrays of plain values, unions, free objects: edit as JSON.
      const ta = h("textarea.json", { id, name: path, rows: 2, spellcheck: "false", "aria-describedby": describedBy, placeholder: "JSON value" });
      if (initial !== undefined) ta.value = JSON.stringify(initial);
      get = () => {
        const t = ta.value.trim();
        if (!t) return undefined;
        try {
          return JSON.parse(t);
        } catch {
          return t;
        }
      };
      controls = [ta];
      wrap.append(h("label", { for: id }, `${label} (JSON)`), ta);
    }
    if (required) controls[0] && controls[0].setAttribute("aria-required", "true");
    if (helpEl) wrap.append(helpEl);
    wrap.append(errEl);
    fields.set(path, { wrap, errEl, controls, get });
    return wrap;
  }

  function collect() {
    const out = {};
    for (const [path, f] of fields) {
      if (f.group) continue;
      const v = f.get();
      if (v === undefined) continue;
      const parts = path.split(".");
      let o = out;
      for (const p of parts.slice(0, -1)) o = o[p] = o[p] || {};
      o[parts[parts.length - 1]] = v;
    }
    return out;
  }

  function clearErrors() {
    for (const f of fields.values()) {
      f.errEl.hidden = true;
      f.errEl.textContent = "";
      f.wrap.classList.remove("invalid");
      f.controls.forEach((c) => c.removeAttribute("aria-invalid"));
    }
  }

  /** Show [{path, message}] at their fields; returns the ones no field matched. */
  function showErrors(details) {
    const unmatched = [];
    let first = null;
    for (const d of details || []) {
      const path = String(d.path || "")
        .replace(/^\/+|^\$\.?|^settings\.?/, "")
        .replace(/\//g, ".")
        .replace(/\[(\d+)\]/g, ".$1");
      let f = fields.get(path);
      // "a.b.2" -> the nearest field above it
      let p = path;
      while (!f && p.includes(".")) {
        p = p.slice(0, p.lastIndexOf("."));
        f = fields.get(p);
      }
      if (!f) {
        unmatched.push(d);
        continue;
      }
      f.errEl.hidden = false;
      f.errEl.textContent = f.errEl.textContent ? `${f.errEl.textContent}; ${d.message}` : d.message;
      f.wrap.classList.add("invalid");
      f.controls.forEach((c) => c.setAttribute("aria-invalid", "true"));
      if (!first) first = f.controls[0];
    }
    if (first) first.focus();
    return unmatched;
  }

  return { el, collect, showErrors, clearErrors };
}
