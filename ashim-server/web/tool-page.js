// One tool's page, generated from its catalogue entry: input slots as drop zones, the
// settings form from its JSON Schema, Run (single, async via SSE, or batch -> ZIP), result.

import { ApiError, api, dispositionName, fetchBlob, followJob, newJobId, request } from "/api.js";
import { acceptAttr, tools } from "/catalogue.js";
import { bytes, errorBox, h, humanize, mount, nextId, toast } from "/dom.js";
import { showResult } from "/result.js";
import { schemaForm } from "/schema-form.js";

function countHint(slot) {
  const min = slot.min ?? 1;
  if (slot.max === null || slot.max === undefined) return min <= 1 ? "one or more files" : `at least ${min} files`;
  return min === slot.max ? `exactly ${min} files` : `${min} to ${slot.max} files`;
}

/** A drop zone for one slot; returns {el, files(), set(files), error(msg)}. */
export function dropZone(slot, { batch = false, label } = {}) {
  const id = nextId("slot");
  const multiple = slot.max === null || slot.max > 1 || batch;
  const input = h("input", { type: "file", id, name: slot.name, multiple, accept: acceptAttr(slot) || null, "aria-describedby": `${id}-hint ${id}-err` });
  let files = [];
  const list = h("ul.file-list", { "aria-live": "polite" });
  const err = h("p.field-error", { id: `${id}-err`, hidden: true });
  const title = label || (slot.named ? humanize(slot.name) : multiple ? "Images" : "Image");
  const hint = [
    slot.description && slot.description.replace(/[.;\s]+$/, ""),
    slot.named ? `sent as the “${slot.name}” part` : null,
    multiple && !batch ? countHint(slot) : null,
    batch ? "one file, or several to run them as a batch (one ZIP)" : null,
  ].filter(Boolean).join("; ") + ".";
  const zone = h("div.drop", { "data-slot": slot.name },
    h("label", { for: id }, h("strong", title), h("span.muted", " — drop files here or choose")),
    input,
    h("p.help", { id: `${id}-hint` }, hint),
    list, err);
  function render() {
    mount(list, files.map((f, i) => h("li", `${f.name} (${bytes(f.size)})`,
      h("button.link", { type: "button", "aria-label": `Remove ${f.name}`, on: { click: () => { files.splice(i, 1); render(); } } }, "×"))));
    err.hidden = true;
    zone.classList.remove("invalid");
  }
  function add(fl) {
    const arr = Array.from(fl);
    files = multiple ? files.concat(arr) : arr.slice(0, 1);
    render();
  }
  input.addEventListener("change", () => { add(input.files); input.value = ""; });
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over"); add(e.dataTransfer.files); });
  return {
    el: zone,
    slot,
    files: () => files,
    set: (fs) => { files = Array.from(fs); render(); },
    error: (msg) => { err.textContent = msg; err.hidden = false; zone.classList.add("invalid"); input.focus(); },
  };
}

function progressBar() {
  const id = nextId("prog");
  const bar = h("progress", { id, max: 100, value: 0, "aria-label": "Progress" });
  const text = h("span.muted", { "aria-live": "polite" });
  const el = h("div.progress", { hidden: true }, bar, text);
  return {
    el,
    start() { el.hidden = false; bar.removeAttribute("value"); text.textContent = "Working…"; },
    set(pct, stage) {
      const n = typeof pct === "number" ? pct : null;
      if (n !== null) bar.value = n;
      text.textContent = [stage, n !== null ? `${n}%` : null].filter(Boolean).join(" ") || "Working…";
    },
    done(msg) { bar.value = 100; text.textContent = msg || "Done"; },
    stop() { el.hidden = true; },
  };
}

async function readReply(resp) {
  const type = resp.headers.get("Content-Type") || "";
  if (type.startsWith("application/json")) return { status: resp.status, json: await resp.json() };
  const blob = await resp.blob();
  return { status: resp.status, blob, type: blob.type || type, name: dispositionName(resp) || "result", headers: resp.headers };
}

/** The page of tool `id`. */
export async function toolPage(main, ctx, id, query) {
  const all = await tools(ctx.disabled);
  const tool = all.find((t) => t.id === id);
  if (!tool) {
    mount(main, h("h1", "Tool not found"), h("p", `No tool “${id}” on this instance.`), h("a", { href: "/" }, "Back to the tools"));
    return;
  }
  document.title = `${tool.name} · ${ctx.appName}`;
  const positional = tool.slots.filter((s) => !s.named);
  const canBatch = tool.caps.batch && positional.length === 1 && positional[0].max === 1;
  const zones = tool.slots.map((s, i) => dropZone(s, {
    batch: canBatch && i === tool.slots.indexOf(positional[0]),
    // Several slots: tell them apart by name ("Base", "Watermark").
    label: tool.slots.length > 1 ? humanize(s.name) : undefined,
  }));
  const form = schemaForm(tool.schema, { idPrefix: `set-${tool.id}`, order: tool.formFields });
  const general = h("div.form-errors", { "aria-live": "assertive" });
  const progress = progressBar();
  const runBtn = h("button.primary#run", { type: "submit" }, "Run");
  const batchList = h("ul.batch-status", { hidden: true, "aria-label": "Batch status" });
  const resultBox = h("section.result", { hidden: true, "aria-labelledby": "result-title" });
  let libraryFileId = null;
  const notReady = tool.availability.state !== "ready"
    ? h("div.notice", { role: "note" }, h("strong", "Not installed. "), tool.availability.hint || "A model or library this tool needs is missing.",
      ctx.isAdmin ? h("span", " ", h("a", { href: "/admin/features" }, "Manage features")) : null)
    : null;

  const formEl = h("form.tool-form", { "aria-label": `${tool.name} settings`, novalidate: true },
    zones.length ? h("div.slots", zones.map((z) => z.el)) : null,
    h("fieldset.settings", h("legend", "Settings"), form.el),
    general,
    h("div.actions", runBtn, progress.el));

  mount(main,
    h("nav.crumbs", { "aria-label": "Breadcrumb" }, h("a", { href: "/" }, "Tools"), " / ", tool.name),
    h("h1", tool.name),
    h("p.lead", tool.description),
    notReady,
    formEl, batchList, resultBox);

  if (query && query.get("fileId") && zones.length) {
    try {
      libraryFileId = query.get("fileId");
      const f = await fetchBlob(`/api/v1/files/${encodeURIComponent(libraryFileId)}/download`);
      zones[tool.slots.indexOf(positional[0] || tool.slots[0])].set([new File([f.blob], f.name, { type: f.type })]);
      toast(`Loaded ${f.name} from the library`);
    } catch (e) {
      general.append(errorBox(e));
    }
  }

  formEl.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    form.clearErrors();
    general.replaceChildren();
    let missing = false;
    for (const z of zones) {
      const n = z.files().length;
      if (n < (z.slot.min ?? 1)) { z.error(n ? `Needs at least ${z.slot.min} files` : "Choose a file"); missing = true; }
      else if (z.slot.max && n > z.slot.max && !(canBatch && z.slot === positional[0])) { z.error(`At most ${z.slot.max} files`); missing = true; }
    }
    if (missing) return;
    const settings = form.collect();
    const batch = canBatch && zones.find((z) => z.slot === positional[0]).files().length > 1;
    runBtn.disabled = true;
    progress.start();
    resultBox.hidden = true;
    const jobId = newJobId();
    const inputs = zones.flatMap((z) => z.files());
    try {
      let reply;
      if (batch) reply = await runBatch(tool, zones, settings, jobId, progress, batchList);
      else reply = await runSingle(tool, zones, settings, jobId, progress, libraryFileId);
      const out = await showResult(resultBox, reply, inputs);
      progress.done("Done");
      if (reply.json && reply.json.savedFileId) resultBox.append(h("p.ok", "Saved as a new version in the library."));
      else if (out && out.blob && /^image\//.test(out.blob.type) && !batch) resultBox.querySelector(".actions").append(saveButton(out));
      resultBox.querySelector("h2").focus();
    } catch (e) {
      progress.stop();
      showError(e);
    } finally {
      runBtn.disabled = false;
    }
  });

  function showError(e) {
    if (e instanceof ApiError) {
      const unmatched = form.showErrors(e.fieldErrors());
      const box = errorBox(e);
      for (const d of unmatched) box.append(h("div", d.path ? `${d.path}: ${d.message}` : d.message));
      if (typeof e.details === "string") box.append(h("div", e.details));
      if (Array.isArray(e.body.errors)) for (const x of e.body.errors) box.append(h("div", `${x.filename}: ${x.error || x.message}`));
      general.append(box);
    } else general.append(errorBox(e));
  }
}

function saveButton(out) {
  const b = h("button", { type: "button" }, "Save to library");
  b.addEventListener("click", async () => {
    b.disabled = true;
    try {
      const fd = new FormData();
      fd.append("files", new File([out.blob], out.name, { type: out.blob.type }));
      await api("/api/v1/files/upload", { form: fd });
      b.textContent = "Saved to library";
    } catch (e) {
      b.disabled = false;
      b.after(errorBox(e));
    }
  });
  return b;
}

async function runSingle(tool, zones, settings, jobId, progress, fileId) {
  const watch = followJob(jobId, (ev) => { if (ev.type === "single" && ev.phase === "processing") progress.set(ev.percent, ev.stage); });
  try {
    let resp;
    if (tool.caps.jsonBody && !zones.length) {
      resp = await request(`/api/v1/tools/${tool.id}`, { json: { ...settings, clientJobId: jobId } });
    } else {
      const fd = new FormData();
      for (const z of zones) for (const f of z.files()) fd.append(z.slot.named ? z.slot.name : (z.slot.max === 1 ? "file" : "files"), f, f.name);
      fd.append("settings", JSON.stringify(settings));
      fd.append("clientJobId", jobId);
      if (fileId) fd.append("fileId", fileId);
      resp = await request(`/api/v1/tools/${tool.id}`, { form: fd });
    }
    const reply = await readReply(resp);
    if (reply.status === 202 && reply.json && reply.json.async) {
      const end = await followJob(reply.json.jobId, (ev) => progress.set(ev.percent, ev.stage)).done;
      if (!end || end.phase === "failed") throw new Error((end && end.error) || "The job failed");
      return { json: end.result || {} };
    }
    return reply;
  } finally {
    watch.close();
  }
}

async function runBatch(tool, zones, settings, jobId, progress, list) {
  const files = zones.flatMap((z) => z.files());
  const rows = files.map((f) => h("li", { "data-file": f.name }, h("span", f.name), " ", h("span.state", "queued")));
  mount(list, rows);
  list.hidden = false;
  const setState = (name, state) => {
    const row = rows.find((r) => r.dataset.file === name && !r.classList.contains("failed"));
    if (row) { row.querySelector(".state").textContent = state; row.className = state.split(":")[0]; }
  };
  const watch = followJob(jobId, (ev) => {
    if (ev.type !== "batch") return;
    progress.set(Math.round((100 * ev.completedFiles) / Math.max(1, ev.totalFiles)), `${ev.completedFiles}/${ev.totalFiles} files`);
    if (ev.currentFile) setState(ev.currentFile, "processing");
    for (const e of ev.errors || []) setState(e.filename, `failed: ${e.error}`);
  });
  try {
    const fd = new FormData();
    for (const f of files) fd.append("files", f, f.name);
    fd.append("settings", JSON.stringify(settings));
    fd.append("clientJobId", jobId);
    const reply = await readReply(await request(`/api/v1/tools/${tool.id}/batch`, { form: fd }));
    let results = {};
    try { results = JSON.parse(reply.headers.get("X-File-Results") || "{}"); } catch { results = {}; }
    rows.forEach((r, i) => {
      if (results[String(i)] !== undefined) { r.querySelector(".state").textContent = `done → ${results[String(i)]}`; r.className = "done"; }
      else if (!r.classList.contains("failed")) { r.querySelector(".state").textContent = "failed"; r.className = "failed"; }
    });
    return reply;
  } finally {
    watch.close();
  }
}
