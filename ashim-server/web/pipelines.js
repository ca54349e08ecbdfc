// Pipelines: build a chain from the pipeline-capable tools, save, list, run, delete.

import { ApiError, api, dispositionName, request } from "/api.js";
import { tools } from "/catalogue.js";
import { errorBox, h, mount, toast } from "/dom.js";
import { showResult } from "/result.js";
import { schemaForm } from "/schema-form.js";
import { dropZone } from "/tool-page.js";

export async function pipelinesPage(main, ctx) {
  document.title = `Pipelines · ${ctx.appName}`;
  const all = await tools(ctx.disabled);
  let ids;
  try {
    ids = (await api("/api/v1/pipeline/tools")).toolIds;
  } catch {
    ids = null;
  }
  const usable = all.filter((t) => (ids ? ids.includes(t.id) : t.caps.pipeline));
  const byId = new Map(all.map((t) => [t.id, t]));
  let steps = []; // {tool, form, el}

  const name = h("input", { id: "pipeline-name", maxlength: 100, autocomplete: "off" });
  const desc = h("input", { id: "pipeline-description", maxlength: 500, autocomplete: "off" });
  const pick = h("select", { id: "add-step-tool", "aria-label": "Tool for the new step" },
    usable.map((t) => h("option", { value: t.id }, t.name)));
  const addBtn = h("button", { type: "button", id: "add-step" }, "Add step");
  const stepList = h("ol.steps", { "aria-label": "Steps" });
  const zone = dropZone({ name: "file", named: false, min: 1, max: 1, accepts: "image" }, { batch: true, label: "Input image" });
  const errors = h("div.form-errors", { "aria-live": "assertive" });
  const runBtn = h("button.primary", { type: "button", id: "run-pipeline" }, "Run pipeline");
  const saveBtn = h("button", { type: "button", id: "save-pipeline" }, "Save pipeline");
  const resultBox = h("section.result", { hidden: true, "aria-labelledby": "result-title" });
  const saved = h("div.saved");

  function addStep(tool, settings) {
    const form = schemaForm(tool.schema, { initial: settings, idPrefix: `step-${steps.length}-${tool.id}`, order: tool.formFields });
    const step = { tool, form };
    const title = h("h3");
    const up = h("button.icon", { type: "button", "aria-label": "Move step up", on: { click: () => move(step, -1) } }, "↑");
    const down = h("button.icon", { type: "button", "aria-label": "Move step down", on: { click: () => move(step, 1) } }, "↓");
    const rm = h("button.icon", { type: "button", "aria-label": "Remove step", on: { click: () => { steps = steps.filter((s) => s !== step); render(); } } }, "×");
    step.title = title;
    step.el = h("li.step-card", h("div.step-head", title, h("span.step-tools", up, down, rm)), form.el);
    steps.push(step);
    render();
  }
  function move(step, d) {
    const i = steps.indexOf(step);
    const j = i + d;
    if (j < 0 || j >= steps.length) return;
    [steps[i], steps[j]] = [steps[j], steps[i]];
    render();
  }
  function render() {
    mount(stepList, steps.map((s, i) => {
      s.title.textContent = `Step ${i + 1}: ${s.tool.name}`;
      s.el.dataset.step = String(i + 1);
      return s.el;
    }));
    if (!steps.length) stepList.append(h("li.muted", "No steps yet: pick a tool and add it."));
  }
  function definition() {
    return { steps: steps.map((s) => ({ toolId: s.tool.id, settings: s.form.collect() })) };
  }
  function clear() {
    errors.replaceChildren();
    steps.forEach((s) => s.form.clearErrors());
  }
  function showError(e) {
    const box = errorBox(e);
    if (e instanceof ApiError) {
      const m = /^Step (\d+)/.exec(e.message);
      const fe = e.fieldErrors();
      const target = m ? steps[Number(m[1]) - 1] : null;
      const rest = target ? target.form.showErrors(fe) : fe;
      for (const d of rest) box.append(h("div", d.path ? `${d.path}: ${d.message}` : d.message));
      if (typeof e.details === "string") box.append(h("div", e.details));
    }
    errors.append(box);
  }

  addBtn.addEventListener("click", () => { const t = byId.get(pick.value); if (t) addStep(t, {}); });
  runBtn.addEventListener("click", async () => {
    clear();
    const files = zone.files();
    if (!steps.length) return errors.append(errorBox("Add at least one step."));
    if (!files.length) return zone.error("Choose a file");
    runBtn.disabled = true;
    try {
      const fd = new FormData();
      for (const f of files) fd.append("files", f, f.name);
      fd.append("pipeline", JSON.stringify(definition()));
      const batch = files.length > 1;
      const resp = await request(batch ? "/api/v1/pipeline/batch" : "/api/v1/pipeline/execute", { form: fd });
      let reply;
      if ((resp.headers.get("Content-Type") || "").startsWith("application/json")) reply = { json: await resp.json() };
      else {
        const blob = await resp.blob();
        reply = { blob, type: blob.type, name: dispositionName(resp) || "pipeline.zip" };
      }
      await showResult(resultBox, reply, files);
      resultBox.querySelector("h2").focus();
    } catch (e) {
      showError(e);
    } finally {
      runBtn.disabled = false;
    }
  });
  saveBtn.addEventListener("click", async () => {
    clear();
    if (!name.value.trim()) {
      errors.append(errorBox("Give the pipeline a name."));
      name.focus();
      return;
    }
    try {
      await api("/api/v1/pipeline/save", { json: { name: name.value.trim(), description: desc.value.trim() || undefined, ...definition() } });
      toast(`Saved “${name.value.trim()}”`);
      await list();
    } catch (e) {
      showError(e);
    }
  });

  async function list() {
    let ps = [];
    try {
      ps = (await api("/api/v1/pipeline/list")).pipelines || [];
    } catch (e) {
      mount(saved, errorBox(e));
      return;
    }
    if (!ps.length) return mount(saved, h("p.muted", "No saved pipelines."));
    mount(saved, h("table.report",
      h("thead", h("tr", h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Steps"), h("th", { scope: "col" }, "Actions"))),
      h("tbody", ps.map((p) => h("tr", { "data-pipeline": p.name },
        h("td", h("strong", p.name), p.description ? h("div.muted", p.description) : null),
        h("td", p.steps.map((s) => (byId.get(s.toolId) || { name: s.toolId }).name).join(" → ")),
        h("td.row-actions",
          h("button", { type: "button", "aria-label": `Load ${p.name}`, on: { click: () => load(p) } }, "Load"),
          h("button", { type: "button", "aria-label": `Run ${p.name}`, on: { click: () => { load(p); runBtn.click(); } } }, "Run"),
          h("button.danger", { type: "button", "aria-label": `Delete ${p.name}`, on: { click: () => remove(p) } }, "Delete")))))));
  }
  function load(p) {
    steps = [];
    name.value = p.name;
    desc.value = p.description || "";
    for (const s of p.steps) {
      const t = byId.get(s.toolId);
      if (t) addStep(t, s.settings || {});
    }
    render();
  }
  async function remove(p) {
    if (!confirm(`Delete the pipeline “${p.name}”?`)) return;
    try {
      await api(`/api/v1/pipeline/${encodeURIComponent(p.id)}`, { method: "DELETE" });
      toast(`Deleted “${p.name}”`);
    } catch (e) {
      errors.append(errorBox(e));
    }
    await list();
  }

  render();
  mount(main,
    h("h1", "Pipelines"),
    h("p.lead", "Chain tools: each step's output is the next step's input. Several input files run as a batch (one ZIP)."),
    h("section.card", { "aria-label": "Pipeline builder" },
      h("div.row",
        h("div.field", h("label", { for: "pipeline-name" }, "Name"), name),
        h("div.field.grow", h("label", { for: "pipeline-description" }, "Description"), desc)),
      stepList,
      h("div.row.add-row", pick, addBtn),
      zone.el,
      errors,
      h("div.actions", runBtn, saveBtn)),
    resultBox,
    h("h2", "Saved pipelines"),
    saved);
  await list();
}
