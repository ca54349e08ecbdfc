// The file library: upload, list (thumbnails fetched with the bearer header and shown as
// blob URLs), versions, download, delete, open a file in a tool.

import { api, fetchBlob } from "/api.js";
import { tools } from "/catalogue.js";
import { bytes, errorBox, h, mount, saveAs, toast } from "/dom.js";
import { dropZone } from "/tool-page.js";

export async function libraryPage(main, ctx) {
  document.title = `Library · ${ctx.appName}`;
  const usable = (await tools(ctx.disabled)).filter((t) => t.caps.batch || t.caps.pipeline);
  const zone = dropZone({ name: "files", named: false, min: 1, max: null, accepts: "image" }, { label: "Files to upload" });
  const upBtn = h("button.primary", { type: "button", id: "upload-files" }, "Upload");
  const search = h("input", { type: "search", id: "library-search", "aria-label": "Search files", placeholder: "Search by name…" });
  const grid = h("ul.file-grid", { "aria-label": "Files" });
  const errors = h("div.form-errors", { "aria-live": "assertive" });
  const detail = h("section.card", { hidden: true, "aria-label": "Versions" });

  upBtn.addEventListener("click", async () => {
    errors.replaceChildren();
    if (!zone.files().length) return zone.error("Choose files");
    const fd = new FormData();
    for (const f of zone.files()) fd.append("files", f, f.name);
    try {
      const r = await api("/api/v1/files/upload", { form: fd });
      toast(`Uploaded ${r.files.length} file(s)`);
      zone.set([]);
      await list();
    } catch (e) {
      errors.append(errorBox(e));
    }
  });
  let timer;
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(list, 250); });

  function thumb(f) {
    const img = h("img", { alt: `Thumbnail of ${f.originalName}`, loading: "lazy" });
    if ((f.mimeType || "").startsWith("image/") || f.width)
      fetchBlob(`/api/v1/files/${f.id}/thumbnail`).then((b) => (img.src = b.url)).catch(() => img.replaceWith(h("span.no-thumb", "no preview")));
    else img.replaceWith(h("span.no-thumb", "no preview"));
    return img;
  }

  function openIn(f) {
    const sel = h("select", { "aria-label": `Tool to open ${f.originalName} in` }, usable.map((t) => h("option", { value: t.id }, t.name)));
    const go = h("button", { type: "button", on: { click: () => {
      history.pushState(null, "", `/tools/${sel.value}?fileId=${encodeURIComponent(f.id)}`);
      dispatchEvent(new PopStateEvent("popstate"));
    } } }, "Open");
    return h("span.open-in", sel, go);
  }

  async function showVersions(f) {
    try {
      const r = await api(`/api/v1/files/${f.id}`);
      mount(detail, h("h2", `Versions of ${f.originalName}`),
        h("table.report",
          h("thead", h("tr", ["Version", "Name", "Size", "Dimensions", "Tools", "Created", ""].map((x) => h("th", { scope: "col" }, x)))),
          h("tbody", r.versions.map((v) => h("tr",
            h("td", `v${v.version}`), h("td", v.originalName), h("td", bytes(v.size)),
            h("td", v.width ? `${v.width} × ${v.height}` : "—"), h("td", (v.toolChain || []).join(" → ") || "original"),
            h("td", new Date(v.createdAt).toLocaleString()),
            h("td", h("button", { type: "button", "aria-label": `Download version ${v.version}`, on: { click: async () => {
              const b = await fetchBlob(`/api/v1/files/${v.id}/download`);
              saveAs(b.url, v.originalName);
            } } }, "Download")))))));
      detail.hidden = false;
      detail.querySelector("h2").setAttribute("tabindex", "-1");
      detail.querySelector("h2").focus();
    } catch (e) {
      errors.append(errorBox(e));
    }
  }

  async function remove(f) {
    if (!confirm(`Delete ${f.originalName} and all its versions?`)) return;
    try {
      await api("/api/v1/files", { method: "DELETE", json: { ids: [f.id] } });
      detail.hidden = true;
      await list();
    } catch (e) {
      errors.append(errorBox(e));
    }
  }

  async function list() {
    let r;
    try {
      r = await api(`/api/v1/files?limit=100&search=${encodeURIComponent(search.value.trim())}`);
    } catch (e) {
      mount(grid, h("li", errorBox(e)));
      return;
    }
    if (!r.files.length) return mount(grid, h("li.muted", "No files yet."));
    mount(grid, r.files.map((f) => h("li.file-card", { "data-file": f.originalName },
      thumb(f),
      h("strong", f.originalName),
      h("span.muted", `v${f.version} · ${bytes(f.size)}${f.width ? ` · ${f.width} × ${f.height}` : ""}`),
      h("div.row-actions",
        h("button", { type: "button", "aria-label": `Versions of ${f.originalName}`, on: { click: () => showVersions(f) } }, "Versions"),
        h("button", { type: "button", "aria-label": `Download ${f.originalName}`, on: { click: async () => {
          const b = await fetchBlob(`/api/v1/files/${f.id}/download`);
          saveAs(b.url, f.originalName);
        } } }, "Download"),
        h("button.danger", { type: "button", "aria-label": `Delete ${f.originalName}`, on: { click: () => remove(f) } }, "Delete")),
      openIn(f))));
  }

  mount(main, h("h1", "Library"),
    h("section.card", { "aria-label": "Upload" }, zone.el, errors, h("div.actions", upBtn)),
    h("div.search-row", search), grid, detail);
  await list();
}
