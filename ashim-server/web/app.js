// Entry point: session, instance settings (appName, logo, theme, disabledTools), routing.

import { ApiError, api, fetchBlob, onAuth, setToken, token } from "/api.js";
import { adminPage } from "/admin.js";
import { cataloguePage } from "/catalogue.js";
import { errorBox, h, mount } from "/dom.js";
import { libraryPage } from "/library.js";
import { pipelinesPage } from "/pipelines.js";
import { toolPage } from "/tool-page.js";

const main = document.getElementById("main");
const ctx = { user: null, authEnabled: true, appName: "ashim", disabled: [], isAdmin: false, settings: {} };

function applyTheme(choice) {
  const dark = choice === "dark" || (choice === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

function initTheme(defaultTheme) {
  const sel = document.getElementById("theme");
  const saved = localStorage.getItem("ashim-theme");
  const choice = saved || defaultTheme || "system";
  sel.value = ["light", "dark", "system"].includes(choice) ? choice : "system";
  applyTheme(sel.value);
  sel.onchange = () => {
    localStorage.setItem("ashim-theme", sel.value);
    applyTheme(sel.value);
  };
  if (!initTheme.listening) {
    initTheme.listening = true;
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => applyTheme(sel.value));
  }
}

/** Navigate within the app. */
export function go(path, replace = false) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  route();
}

document.addEventListener("click", (e) => {
  const a = e.target.closest("a[href]");
  if (!a || a.target || a.hasAttribute("download") || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/") || url.pathname.endsWith(".txt")) return;
  e.preventDefault();
  go(url.pathname + url.search);
});
window.addEventListener("popstate", () => route());

function signInPage(message) {
  document.title = `Sign in · ${ctx.appName}`;
  const user = h("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const pass = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const err = h("div.form-errors", { "aria-live": "assertive" }, message ? errorBox(message) : null);
  const form = h("form.card.narrow", { "aria-label": "Sign in" },
    h("h1", `Sign in to ${ctx.appName}`),
    h("div.field", h("label", { for: "username" }, "Username"), user),
    h("div.field", h("label", { for: "password" }, "Password"), pass),
    err,
    h("div.actions", h("button.primary", { type: "submit" }, "Sign in")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.replaceChildren();
    try {
      const r = await api("/api/auth/login", { json: { username: user.value, password: pass.value } });
      setToken(r.token);
      ctx.user = r.user;
      await afterSignIn();
    } catch (x) {
      err.append(errorBox(x));
      pass.select();
    }
  });
  mount(main, form);
  user.focus();
}

function changePasswordPage() {
  document.title = `Change password · ${ctx.appName}`;
  const cur = h("input", { id: "current-password", type: "password", autocomplete: "current-password", required: true });
  const next = h("input", { id: "new-password", type: "password", autocomplete: "new-password", required: true, "aria-describedby": "pw-rule" });
  const again = h("input", { id: "confirm-password", type: "password", autocomplete: "new-password", required: true });
  const err = h("div.form-errors", { "aria-live": "assertive" });
  const form = h("form.card.narrow", { "aria-label": "Change password" },
    h("h1", "Choose a new password"),
    h("p", "You must change the initial password before going on."),
    h("div.field", h("label", { for: "current-password" }, "Current password"), cur),
    h("div.field", h("label", { for: "new-password" }, "New password"), next,
      h("p.help", { id: "pw-rule" }, "At least 8 characters with an uppercase letter, a lowercase letter and a number.")),
    h("div.field", h("label", { for: "confirm-password" }, "Repeat the new password"), again),
    err,
    h("div.actions", h("button.primary", { type: "submit" }, "Change password"), h("button", { type: "button", on: { click: signOut } }, "Sign out")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.replaceChildren();
    if (next.value !== again.value) {
      err.append(errorBox("The two new passwords differ."));
      return;
    }
    try {
      await api("/api/auth/change-password", { json: { currentPassword: cur.value, newPassword: next.value } });
      ctx.user.mustChangePassword = false;
      await afterSignIn();
    } catch (x) {
      err.append(errorBox(x));
    }
  });
  mount(main, form);
  cur.focus();
}

async function signOut() {
  try {
    await api("/api/auth/logout", { method: "POST" });
  } catch {
    /* signed out locally anyway */
  }
  setToken(null);
  ctx.user = null;
  showChrome(false);
  history.replaceState(null, "", "/");
  signInPage();
}

function showChrome(on) {
  document.getElementById("nav").hidden = !on;
  const out = document.getElementById("sign-out");
  out.hidden = !on || !ctx.authEnabled;
  out.onclick = signOut;
  document.getElementById("who").textContent = on && ctx.authEnabled && ctx.user ? ctx.user.username : "";
  document.getElementById("nav-admin").hidden = !(on && ctx.isAdmin);
}

async function loadInstance() {
  try {
    const { settings } = await api("/api/v1/settings");
    ctx.settings = settings || {};
  } catch {
    ctx.settings = {};
  }
  const s = ctx.settings;
  ctx.appName = s.appName || "ashim";
  document.getElementById("app-name").textContent = ctx.appName;
  document.title = ctx.appName;
  try {
    ctx.disabled = JSON.parse(s.disabledTools || "[]");
  } catch {
    ctx.disabled = [];
  }
  if (!localStorage.getItem("ashim-theme")) initTheme(s.defaultTheme);
  if (s.defaultLocale) document.documentElement.lang = s.defaultLocale;
  const logo = document.getElementById("logo");
  if (s.customLogo === "true") {
    try {
      logo.src = (await fetchBlob("/api/v1/settings/logo")).url;
      logo.alt = `${ctx.appName} logo`;
      logo.hidden = false;
    } catch {
      logo.hidden = true;
    }
  } else logo.hidden = true;
}

async function afterSignIn() {
  const perms = (ctx.user && ctx.user.permissions) || [];
  ctx.isAdmin = ["users:manage", "settings:write", "audit:read", "teams:manage", "features:manage"].some((p) => perms.includes(p));
  if (ctx.user && ctx.user.mustChangePassword) {
    showChrome(false);
    changePasswordPage();
    return;
  }
  await loadInstance();
  showChrome(true);
  if (location.pathname === "/login") history.replaceState(null, "", "/");
  route();
}

async function route() {
  if (!ctx.user) return;
  const path = location.pathname;
  const query = new URLSearchParams(location.search);
  document.title = ctx.appName;
  for (const a of document.querySelectorAll("#nav a")) {
    const href = a.getAttribute("href");
    const cur = href === "/" ? path === "/" || path.startsWith("/tools") : path.startsWith(href);
    if (cur) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  try {
    let m;
    if (path === "/" || path === "/tools") await cataloguePage(main, ctx);
    else if ((m = /^\/tools\/(.+)$/.exec(path))) await toolPage(main, ctx, decodeURIComponent(m[1]), query);
    else if (path.startsWith("/pipelines")) await pipelinesPage(main, ctx);
    else if (path.startsWith("/library")) await libraryPage(main, ctx);
    else if (path.startsWith("/admin")) await adminPage(main, ctx, path.replace(/^\/admin\/?/, "") || "users");
    else mount(main, h("h1", "Page not found"), h("p", h("a", { href: "/" }, "Back to the tools")));
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || String(e.code).toUpperCase() === "MUST_CHANGE_PASSWORD")) return;
    mount(main, h("h1", "Something went wrong"), errorBox(e));
  }
}

async function boot() {
  initTheme(null);
  onAuth(
    () => {
      setToken(null);
      ctx.user = null;
      showChrome(false);
      signInPage("Your session ended. Sign in again.");
    },
    () => {
      if (ctx.user) ctx.user.mustChangePassword = true;
      showChrome(false);
      changePasswordPage();
    },
  );
  try {
    const cfg = await api("/api/v1/config/auth");
    ctx.authEnabled = cfg.authEnabled !== false;
  } catch {
    ctx.authEnabled = true;
  }
  if (!ctx.authEnabled || token()) {
    try {
      const s = await api("/api/auth/session");
      ctx.user = s.user;
    } catch {
      setToken(null);
    }
  }
  if (ctx.user) await afterSignIn();
  else signInPage();
}

boot();
