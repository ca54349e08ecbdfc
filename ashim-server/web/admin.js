// Admin pages for what the API offers: users, roles, teams, API keys, settings, branding,
// feature bundles, audit log. Sections the caller may not use answer 403 and say so.

import { api, fetchBlob, followJob } from "/api.js";
import { forget, tools } from "/catalogue.js";
import { errorBox, h, humanize, mount, toast } from "/dom.js";

const TABS = ["users", "roles", "teams", "api-keys", "settings", "branding", "features", "audit"];

function table(cols, rows, actions) {
  if (!rows.length) return h("p.muted", "Nothing here yet.");
  return h("div.table-wrap", h("table.report",
    h("thead", h("tr", cols.map((c) => h("th", { scope: "col" }, humanize(c))), actions ? h("th", { scope: "col" }, "Actions") : null)),
    h("tbody", rows.map((r) => h("tr", cols.map((c) => h("td", fmt(r[c], c))), actions ? h("td.row-actions", actions(r)) : null)))));
}

function fmt(v, key) {
  if (v === null || v === undefined) return "—";
  if (/At$/.test(key) && typeof v === "string") return new Date(v).toLocaleString();
  if (Array.isArray(v)) return v.join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function field(label, input) {
  return h("div.field", h("label", { for: input.id }, label), input);
}

function inlineForm(label, fields, onSubmit) {
  const err = h("div.form-errors", { "aria-live": "assertive" });
  const f = h("form.card.inline-form", { "aria-label": label }, h("h3", label), fields, err, h("div.actions", h("button.primary", { type: "submit" }, label)));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.replaceChildren();
    try {
      await onSubmit(err);
    } catch (x) {
      err.append(errorBox(x));
    }
  });
  return f;
}

export async function adminPage(main, ctx, tab) {
  if (!TABS.includes(tab)) tab = "users";
  document.title = `Admin · ${humanize(tab)} · ${ctx.appName}`;
  const body = h("div.admin-body");
  mount(main, h("h1", "Administration"),
    h("nav.tabs", { "aria-label": "Admin sections" }, TABS.map((t) => h("a", { href: `/admin/${t}`, "aria-current": t === tab ? "page" : null }, humanize(t)))),
    body);
  try {
    await SECTIONS[tab](body, ctx);
  } catch (e) {
    mount(body, errorBox(e));
  }
}

const SECTIONS = {
  async users(el) {
    const r = await api("/api/auth/users");
    const roles = await api("/api/v1/roles").then((x) => x.roles.map((x) => x.name)).catch(() => ["admin", "editor", "user"]);
    const reload = () => SECTIONS.users(el);
    const u = h("input", { id: "new-username", autocomplete: "off", required: true });
    const p = h("input", { id: "new-user-password", type: "password", autocomplete: "new-password", required: true });
    const role = h("select", { id: "new-user-role" }, roles.map((x) => h("option", { value: x, selected: x === "user" }, x)));
    const team = h("input", { id: "new-user-team", placeholder: "Default" });
    mount(el, h("h2", "Users"), table(["username", "role", "team", "createdAt"], r.users, (x) => [
      h("button", { type: "button", "aria-label": `Reset password of ${x.username}`, on: { click: async () => {
        const pw = prompt(`New password for ${x.username}`);
        if (!pw) return;
        try { await api(`/api/auth/users/${x.id}/reset-password`, { json: { newPassword: pw } }); toast("Password reset"); } catch (e) { el.prepend(errorBox(e)); }
      } } }, "Reset password"),
      h("button.danger", { type: "button", "aria-label": `Delete ${x.username}`, on: { click: async () => {
        if (!confirm(`Delete ${x.username}?`)) return;
        try { await api(`/api/auth/users/${x.id}`, { method: "DELETE" }); reload(); } catch (e) { el.prepend(errorBox(e)); }
      } } }, "Delete")]),
    r.maxUsers ? h("p.muted", `User limit: ${r.maxUsers}`) : null,
    inlineForm("Create user", [field("Username", u), field("Password", p), field("Role", role), field("Team", team)], async () => {
      await api("/api/auth/register", { json: { username: u.value, password: p.value, role: role.value, team: team.value || undefined } });
      toast(`Created ${u.value}`);
      reload();
    }));
  },
  async roles(el) {
    const r = await api("/api/v1/roles");
    mount(el, h("h2", "Roles"), table(["name", "description", "permissions", "isBuiltin", "userCount"], r.roles));
  },
  async teams(el) {
    const r = await api("/api/v1/teams");
    const reload = () => SECTIONS.teams(el);
    const n = h("input", { id: "new-team-name", required: true, maxlength: 50 });
    mount(el, h("h2", "Teams"), table(["name", "memberCount", "createdAt"], r.teams, (t) => [
      h("button.danger", { type: "button", "aria-label": `Delete team ${t.name}`, on: { click: async () => {
        try { await api(`/api/v1/teams/${t.id}`, { method: "DELETE" }); reload(); } catch (e) { el.prepend(errorBox(e)); }
      } } }, "Delete")]),
    inlineForm("Create team", [field("Team name", n)], async () => { await api("/api/v1/teams", { json: { name: n.value } }); reload(); }));
  },
  async "api-keys"(el) {
    const r = await api("/api/v1/api-keys");
    const reload = (shown) => SECTIONS["api-keys"](el).then(() => shown && el.prepend(shown));
    const n = h("input", { id: "new-key-name", maxlength: 100 });
    mount(el, h("h2", "API keys"), table(["name", "permissions", "createdAt", "lastUsedAt", "expiresAt"], r.apiKeys, (k) => [
      h("button.danger", { type: "button", "aria-label": `Revoke ${k.name}`, on: { click: async () => {
        try { await api(`/api/v1/api-keys/${k.id}`, { method: "DELETE" }); reload(); } catch (e) { el.prepend(errorBox(e)); }
      } } }, "Revoke")]),
    inlineForm("Create API key", [field("Key name", n)], async () => {
      const k = await api("/api/v1/api-keys", { json: { name: n.value || undefined } });
      const code = h("input.key", { id: "new-key-value", readonly: true, value: k.key, "aria-label": "New API key" });
      const shown = h("div.notice", { role: "status" }, h("p", h("strong", "Copy this key now: it is shown only once.")), code,
        h("button", { type: "button", on: { click: () => { code.select(); navigator.clipboard && navigator.clipboard.writeText(k.key); toast("Copied"); } } }, "Copy"));
      await reload(shown);
    }));
  },
  async settings(el, ctx) {
    const s = (await api("/api/v1/settings")).settings || {};
    forget();
    const all = await tools([]);
    let disabled = [];
    try { disabled = JSON.parse(s.disabledTools || "[]"); } catch { disabled = []; }
    const appName = h("input", { id: "set-appName", value: s.appName || "" });
    const theme = h("select", { id: "set-defaultTheme" }, ["light", "dark", "system"].map((t) => h("option", { value: t, selected: (s.defaultTheme || "light") === t }, t)));
    const locale = h("input", { id: "set-defaultLocale", value: s.defaultLocale || "en" });
    const boxes = all.map((t) => {
      const cb = h("input", { type: "checkbox", id: `dis-${t.id}`, checked: disabled.includes(t.id) });
      return [t, cb, h("label.check", { for: `dis-${t.id}` }, cb, ` ${t.name}`)];
    });
    mount(el, h("h2", "Settings"), inlineForm("Save settings", [
      field("App name", appName), field("Default theme", theme), field("Default locale", locale),
      h("fieldset.group", h("legend", "Hidden tools (disabledTools; routes go away after a restart)"), h("div.check-grid", boxes.map((b) => b[2]))),
    ], async () => {
      const dis = boxes.filter((b) => b[1].checked).map((b) => b[0].id);
      await api("/api/v1/settings", { method: "PUT", json: { appName: appName.value, defaultTheme: theme.value, defaultLocale: locale.value, disabledTools: JSON.stringify(dis) } });
      ctx.appName = appName.value || "ashim";
      ctx.disabled = dis;
      document.getElementById("app-name").textContent = ctx.appName;
      toast("Settings saved");
    }));
  },
  async branding(el) {
    const preview = h("img.logo-preview", { alt: "Current logo", hidden: true });
    fetchBlob("/api/v1/settings/logo").then((b) => { preview.src = b.url; preview.hidden = false; }).catch(() => {});
    const file = h("input", { type: "file", id: "logo-file", accept: "image/*" });
    mount(el, h("h2", "Branding"), preview,
      inlineForm("Upload logo", [field("Logo image", file)], async () => {
        const fd = new FormData();
        if (!file.files[0]) throw new Error("Choose an image");
        fd.append("file", file.files[0]);
        await api("/api/v1/settings/logo", { form: fd });
        toast("Logo saved; reload to see it in the header");
        SECTIONS.branding(el);
      }),
      h("button.danger", { type: "button", on: { click: async () => { await api("/api/v1/settings/logo", { method: "DELETE" }); SECTIONS.branding(el); } } }, "Remove logo"));
  },
  async features(el) {
    let r;
    try {
      r = await api("/api/v1/features");
    } catch (e) {
      if (e.status !== 404) throw e;
      return mount(el, h("h2", "Feature bundles"), h("p.muted", "This server has no installable feature bundles."));
    }
    mount(el, h("h2", "Feature bundles"), table(["name", "description", "status", "estimatedSize", "enablesTools"], r.bundles, (b) =>
      b.status === "installed" ? [] : [h("button", { type: "button", "aria-label": `Install ${b.name}`, on: { click: async (e) => {
        e.target.disabled = true;
        try {
          const { jobId } = await api(`/api/v1/admin/features/${b.id}/install`, { method: "POST" });
          const end = await followJob(jobId, (ev) => (e.target.textContent = `${ev.stage || "Installing"} ${ev.percent ?? ""}%`)).done;
          toast(end && end.phase === "complete" ? `${b.name} installed` : `Install failed: ${(end && end.error) || "unknown"}`);
        } catch (x) { el.prepend(errorBox(x)); }
        SECTIONS.features(el);
      } } }, "Install")]));
  },
  async audit(el, _ctx, page = 1) {
    const r = await api(`/api/v1/audit-log?page=${page}&limit=50`);
    const pages = Math.max(1, Math.ceil(r.total / r.limit));
    mount(el, h("h2", "Audit log"), table(["createdAt", "actorUsername", "action", "targetType", "targetId", "details"], r.entries),
      h("div.actions",
        h("button", { type: "button", disabled: page <= 1, on: { click: () => SECTIONS.audit(el, _ctx, page - 1) } }, "Newer"),
        h("span.muted", `Page ${page} of ${pages}`),
        h("button", { type: "button", disabled: page >= pages, on: { click: () => SECTIONS.audit(el, _ctx, page + 1) } }, "Older")));
  },
};
