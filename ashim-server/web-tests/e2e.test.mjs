// End-to-end tests of the web app in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core) against the real ashim-server binary started by run.sh.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { chromium } from "playwright-core";

const BASE = process.env.ASHIM_URL;
const NOAUTH = process.env.ASHIM_URL_NOAUTH;
const FIX = process.env.ASHIM_FIXTURES;
const SHOTS = process.env.ASHIM_SHOTS || fs.mkdtempSync("/tmp/ashim-shots-");
const NEW_PASSWORD = "Sup3rSecret9";
assert.ok(BASE && FIX, "run through run.sh (ASHIM_URL, ASHIM_FIXTURES)");

let browser;
let context;
let page;
const problems = [];

function watch(p) {
  p.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  p.on("console", (m) => {
    // Expected 4xx answers are logged by Chromium as "Failed to load resource"; anything
    // else at error level (a CSP violation, an exception) is a bug.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console: ${m.text()}`);
  });
}

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 820 } });
  page = await context.newPage();
  watch(page);
});

after(async () => {
  await browser?.close();
});

const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** Width and height of PNG, JPEG, WebP or GIF bytes. */
function dims(buf) {
  if (buf.readUInt32BE(0) === 0x89504e47) return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
  if (buf.toString("ascii", 0, 3) === "GIF") return [buf.readUInt16LE(6), buf.readUInt16LE(8)];
  if (buf.toString("ascii", 0, 4) === "RIFF" && buf.toString("ascii", 8, 12) === "WEBP") {
    const kind = buf.toString("ascii", 12, 16);
    if (kind === "VP8X") return [1 + buf.readUIntLE(24, 3), 1 + buf.readUIntLE(27, 3)];
    if (kind === "VP8L") {
      const b = buf.readUInt32LE(21);
      return [1 + (b & 0x3fff), 1 + ((b >> 14) & 0x3fff)];
    }
    return [buf.readUInt16LE(26) & 0x3fff, buf.readUInt16LE(28) & 0x3fff];
  }
  if (buf[0] === 0xff && buf[1] === 0xd8) {
    let i = 2;
    while (i < buf.length) {
      const marker = buf[i + 1];
      const len = buf.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) return [buf.readUInt16BE(i + 7), buf.readUInt16BE(i + 5)];
      i += 2 + len;
    }
  }
  throw new Error(`unknown image format: ${buf.subarray(0, 12).toString("hex")}`);
}

/** Entries of a ZIP (central directory), inflated: [{name, data}]. */
function unzip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd -= 1;
  assert.ok(eocd >= 0, "ZIP end record");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = [];
  for (let i = 0; i < count; i += 1) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28);
    const xlen = buf.readUInt16LE(p + 30);
    const clen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nlen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + csize);
    out.push({ name, data: method === 8 ? zlib.inflateRawSync(raw) : raw });
    p += 46 + nlen + xlen + clen;
  }
  return out;
}

async function download(locator) {
  const [dl] = await Promise.all([page.waitForEvent("download"), locator.click()]);
  const file = path.join(SHOTS, `dl-${Date.now()}-${dl.suggestedFilename()}`);
  await dl.saveAs(file);
  return { name: dl.suggestedFilename(), data: fs.readFileSync(file) };
}

const fixture = (name) => path.join(FIX, name);
const field = (p, scope = "") => page.locator(`${scope} .field[data-path="${p}"]`.trim());

test("sign in with the forced first password change, sign out, sign in again", async () => {
  await page.goto(BASE);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("wrong-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").waitFor();
  assert.match(await page.getByRole("alert").innerText(), /invalid|credentials/i);
  await page.getByLabel("Password").fill("admin");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
  await shot("change-password");
  await page.getByLabel("Current password").fill("admin");
  await page.getByLabel("New password", { exact: true }).fill("weak");
  await page.getByLabel("Repeat the new password").fill("weak");
  await page.getByRole("button", { name: "Change password" }).click();
  await page.getByRole("alert").waitFor();
  assert.match(await page.getByRole("alert").innerText(), /8 characters/);
  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("Repeat the new password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await page.getByRole("heading", { name: "Tools", exact: true }).waitFor();
  assert.ok(await page.locator('a.tool-card[data-tool="resize"]').isVisible());
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem("ashim-token")), null);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Tools", exact: true }).waitFor();
  await shot("catalogue");
});

test("catalogue search filters the tools", async () => {
  await page.goto(BASE);
  await page.getByLabel("Search tools").fill("rotat");
  await page.locator('a.tool-card[data-tool="rotate"]').waitFor();
  assert.equal(await page.locator('a.tool-card[data-tool="resize"]').count(), 0);
  await page.locator('a.tool-card[data-tool="rotate"]').click();
  await page.getByRole("heading", { name: "Rotate" }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/tools/rotate");
});

test("resize a fixture and download it", async () => {
  await page.goto(`${BASE}/tools/resize`);
  await page.locator("#run").waitFor();
  await page.locator('.drop input[type="file"]').setInputFiles(fixture("test-200x150.png"));
  await field("width").locator('input[type="number"]').fill("50");
  await page.locator("#run").click();
  await page.locator(".result figure").last().waitFor();
  const dl = page.locator(".result .actions button.primary");
  assert.match(await dl.innerText(), /test-200x150_resize\.png/);
  await page.waitForFunction(() => /50 × 38/.test(document.querySelector(".result").innerText));
  await shot("resize-result");
  const file = await download(dl);
  assert.equal(file.name, "test-200x150_resize.png");
  assert.deepEqual(dims(file.data), [50, 38]);
  await page.getByRole("button", { name: "Save to library" }).click();
  await page.getByRole("button", { name: "Saved to library" }).waitFor();
  const listed = await page.evaluate(async () => {
    const r = await fetch("/api/v1/files?search=_resize", { headers: { Authorization: `Bearer ${localStorage.getItem("ashim-token")}` } });
    return (await r.json()).files.map((f) => [f.originalName, f.width, f.height]);
  });
  assert.deepEqual(listed, [["test-200x150_resize.png", 50, 38]]);
});

test("a validation error is shown at its field", async () => {
  await page.goto(`${BASE}/tools/resize`);
  await page.locator('.drop input[type="file"]').setInputFiles(fixture("test-200x150.png"));
  await field("width").locator('input[type="number"]').fill("0");
  await page.locator("#run").click();
  const err = field("width").locator(".field-error");
  await err.waitFor();
  assert.match(await err.innerText(), /at least 1/);
  assert.equal(await field("width").locator('input[type="number"]').getAttribute("aria-invalid"), "true");
  // The error is announced through the input's description.
  const described = await field("width").locator('input[type="number"]').getAttribute("aria-describedby");
  assert.ok(described.split(" ").includes(await err.getAttribute("id")));
  await shot("validation-error");
});

test("a batch of three files gives one ZIP", async () => {
  await page.goto(`${BASE}/tools/resize`);
  await page.locator('.drop input[type="file"]').setInputFiles([
    fixture("test-200x150.png"), fixture("test-100x100.jpg"), fixture("test-50x50.webp"),
  ]);
  await field("width").locator('input[type="number"]').fill("20");
  await page.locator("#run").click();
  await page.locator(".batch-status li.done").nth(2).waitFor();
  await shot("batch");
  const file = await download(page.locator(".result .actions button.primary"));
  assert.match(file.name, /\.zip$/);
  const entries = unzip(file.data);
  assert.equal(entries.length, 3);
  for (const e of entries) assert.equal(dims(e.data)[0], 20, e.name);
  assert.deepEqual(entries.map((e) => dims(e.data)), [[20, 15], [20, 20], [20, 20]]);
});

test("a pipeline of three steps: build, run, save, list, delete", async () => {
  page.on("dialog", (d) => d.accept());
  await page.goto(`${BASE}/pipelines`);
  const pick = page.getByLabel("Tool for the new step");
  for (const id of ["resize", "rotate", "convert"]) {
    await pick.selectOption(id);
    await page.getByRole("button", { name: "Add step" }).click();
  }
  assert.equal(await page.locator(".step-card").count(), 3);
  await page.locator('[data-step="1"] .field[data-path="width"] input[type="number"]').fill("80");
  await page.locator('[data-step="2"] .field[data-path="angle"] input[type="number"]').fill("90");
  const fmt = page.locator('[data-step="3"] .field[data-path="format"] select');
  const webp = await fmt.locator("option", { hasText: /^webp$/ }).getAttribute("value");
  await fmt.selectOption(webp);
  await page.getByLabel("Input image").setInputFiles(fixture("test-200x150.png"));
  await page.getByRole("button", { name: "Run pipeline" }).click();
  await page.locator(".result .actions button.primary").waitFor();
  await shot("pipeline-result");
  const file = await download(page.locator(".result .actions button.primary"));
  assert.equal(file.data.toString("ascii", 8, 12), "WEBP");
  assert.deepEqual(dims(file.data), [60, 80]);
  const name = `web test ${Date.now()}`;
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Save pipeline" }).click();
  const row = page.locator(`tr[data-pipeline="${name}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /Resize → Rotate → Convert/);
  await row.getByRole("button", { name: `Delete ${name}` }).click();
  await row.waitFor({ state: "detached" });
});

test("a pipeline step's settings error is shown at that step's field", async () => {
  await page.goto(`${BASE}/pipelines`);
  await page.getByLabel("Tool for the new step").selectOption("rotate");
  await page.getByRole("button", { name: "Add step" }).click();
  await page.getByLabel("Tool for the new step").selectOption("resize");
  await page.getByRole("button", { name: "Add step" }).click();
  await page.locator('[data-step="2"] .field[data-path="width"] input[type="number"]').fill("0");
  await page.getByLabel("Input image").setInputFiles(fixture("test-200x150.png"));
  await page.getByRole("button", { name: "Run pipeline" }).click();
  const err = page.locator('[data-step="2"] .field[data-path="width"] .field-error');
  await err.waitFor();
  assert.match(await err.innerText(), /at least 1/);
});

test("every catalogue tool gets a generated form with a Run button", async () => {
  const tools = await page.evaluate(async () => {
    const r = await fetch("/api/v1/tools", { headers: { Authorization: `Bearer ${localStorage.getItem("ashim-token")}` } });
    return (await r.json()).tools.map((t) => t.id);
  });
  assert.ok(tools.length >= 5);
  for (const id of tools) {
    await page.goto(`${BASE}/tools/${id}`);
    await page.locator("#run").waitFor();
    assert.equal(await page.locator("h1").innerText(), await page.evaluate(async (id) => {
      const r = await fetch("/api/v1/tools", { headers: { Authorization: `Bearer ${localStorage.getItem("ashim-token")}` } });
      return (await r.json()).tools.find((t) => t.id === id).name;
    }, id));
  }
});

test("a tool producing files gives a ZIP with its tiles shown", async () => {
  await page.goto(`${BASE}/tools/split`);
  await page.locator('.drop input[type="file"]').setInputFiles(fixture("test-200x150.png"));
  await field("columns").locator('input[type="number"]').fill("2");
  await field("rows").locator('input[type="number"]').fill("2");
  await page.locator("#run").click();
  await page.locator(".zip-gallery li img").nth(3).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll(".zip-gallery img")].every((i) => i.naturalWidth === 100));
  await shot("split-gallery");
  const file = await download(page.locator(".result .actions button.primary"));
  const entries = unzip(file.data);
  assert.equal(entries.length, 4);
  for (const e of entries) assert.deepEqual(dims(e.data), [100, 75], e.name);
});

test("a tool taking several images sends them all (stitch)", async () => {
  await page.goto(`${BASE}/tools/stitch`);
  await page.locator('.drop input[type="file"]').setInputFiles([fixture("test-100x100.jpg"), fixture("test-50x50.webp")]);
  await page.locator("#run").click();
  const file = await download(page.locator(".result .actions button.primary"));
  // Side by side, both scaled to the smaller height (resizeMode fit): 50 + 50 wide, 50 high.
  assert.deepEqual(dims(file.data), [100, 50]);
});

test("a JSON report is rendered readably", async () => {
  await page.goto(`${BASE}/tools/info`);
  await page.locator('.drop input[type="file"]').setInputFiles(fixture("test-200x150.png"));
  await page.locator("#run").click();
  const report = page.locator(".result .report-box");
  await report.waitFor();
  const text = await report.innerText();
  assert.match(text, /Width\s+200/);
  assert.match(text, /Height\s+150/);
  await shot("info-report");
});

test("a tool without inputs (JSON body) runs and shows its image", async () => {
  await page.goto(`${BASE}/tools/qr-generate`);
  await field("text").locator("input, textarea").first().fill("hello from the web app");
  await page.locator("#run").click();
  await page.locator(".result figure img").waitFor();
  const file = await download(page.locator(".result .actions button.primary"));
  assert.equal(file.data.readUInt32BE(0), 0x89504e47);
  assert.ok(dims(file.data)[0] > 50);
});

test("tools that are not installed say so", async (t) => {
  const missing = await page.evaluate(async () => {
    const r = await fetch("/api/v1/tools", { headers: { Authorization: `Bearer ${localStorage.getItem("ashim-token")}` } });
    return (await r.json()).tools.filter((t) => t.availability && t.availability.state !== "ready").map((t) => t.id);
  });
  if (!missing.length) return t.skip("every tool of this build is installed");
  await page.goto(`${BASE}/tools/${missing[0]}`);
  await page.getByText("Not installed.").waitFor();
});

test("accessibility: every control has an accessible name and Tab reaches Run", async () => {
  const cdp = await context.newCDPSession(page);
  const roles = new Set(["button", "textbox", "combobox", "checkbox", "switch", "slider", "spinbutton", "link", "searchbox", "listbox", "radio", "menuitem"]);
  for (const url of ["/", "/tools/resize", "/tools/convert", "/pipelines", "/library", "/admin/users", "/admin/settings"]) {
    await page.goto(`${BASE}${url}`);
    await page.locator("main h1").waitFor();
    if (url === "/pipelines") {
      await page.getByRole("button", { name: "Add step" }).click();
    }
    await page.waitForLoadState("networkidle");
    const { nodes } = await cdp.send("Accessibility.getFullAXTree");
    const unnamed = nodes.filter((n) => !n.ignored && n.role && roles.has(n.role.value) && !(n.name && String(n.name.value).trim()));
    assert.deepEqual(unnamed.map((n) => `${n.role.value}#${n.backendDOMNodeId}`), [], `unnamed controls on ${url}`);
    const count = nodes.filter((n) => !n.ignored && n.role && roles.has(n.role.value)).length;
    assert.ok(count > 3, `${url} has controls (${count})`);
  }
  await page.goto(`${BASE}/tools/resize`);
  await page.locator("#run").waitFor();
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  let reached = false;
  for (let i = 0; i < 80 && !reached; i += 1) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement && document.activeElement.id === "run");
  }
  assert.ok(reached, "Tab reaches Run");
  // Enter on a settings field submits the form like Run.
  await page.locator('.drop input[type="file"]').setInputFiles(fixture("test-100x100.jpg"));
  await field("width").locator('input[type="number"]').fill("30");
  await field("width").locator('input[type="number"]').press("Enter");
  await page.locator(".result .actions button.primary").waitFor();
});

test("the library: upload, thumbnail as a blob URL, versions", async () => {
  await page.goto(`${BASE}/library`);
  await page.getByLabel("Files to upload").setInputFiles(fixture("test-200x150.png"));
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  const card = page.locator('.file-card[data-file="test-200x150.png"]').first();
  await card.waitFor();
  await page.waitForFunction(() => {
    const img = document.querySelector('.file-card img');
    return img && img.src.startsWith("blob:") && img.naturalWidth > 0;
  });
  await card.getByRole("button", { name: /^Versions of/ }).click();
  await page.getByRole("heading", { name: /Versions of test-200x150.png/ }).waitFor();
  await shot("library");
  // Open it in a tool: the result is stored as version 2 of the same chain.
  await card.getByLabel(/^Tool to open/).selectOption("rotate");
  await card.getByRole("button", { name: "Open" }).click();
  await page.getByRole("heading", { name: "Rotate" }).waitFor();
  await page.locator(".drop .file-list li", { hasText: "test-200x150.png" }).waitFor();
  await field("angle").locator('input[type="number"]').fill("90");
  await page.locator("#run").click();
  await page.getByText("Saved as a new version in the library.").waitFor();
  await page.goto(`${BASE}/library`);
  const latest = page.locator(".file-card").first();
  await latest.waitFor();
  assert.match(await latest.innerText(), /v2 · .* · 150 × 200/);
});

test("API keys are shown once", async () => {
  await page.goto(`${BASE}/admin/api-keys`);
  await page.getByLabel("Key name").fill("ci key");
  await page.getByRole("button", { name: "Create API key" }).click();
  const key = await page.getByLabel("New API key").inputValue();
  assert.match(key, /^si_[0-9a-f]{96}$/);
  await page.reload();
  await page.getByRole("heading", { name: "API keys" }).waitFor();
  assert.equal(await page.getByLabel("New API key").count(), 0);
  assert.ok(!(await page.content()).includes(key));
});

test("instance settings: appName and disabledTools are honoured", async () => {
  await page.goto(`${BASE}/admin/settings`);
  await page.getByLabel("App name").fill("Pixel Forge");
  await page.getByLabel("Split", { exact: true }).check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText("Settings saved").waitFor();
  await page.goto(BASE);
  await page.locator('a.tool-card[data-tool="resize"]').waitFor();
  assert.equal(await page.locator("#app-name").innerText(), "Pixel Forge");
  assert.equal(await page.locator('a.tool-card[data-tool="split"]').count(), 0);
  // defaultTheme applies when the user has not picked a theme in this browser.
  await page.goto(`${BASE}/admin/settings`);
  await page.getByLabel("Default theme").selectOption("dark");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText("Settings saved").waitFor();
  await page.evaluate(() => localStorage.removeItem("ashim-theme"));
  await page.goto(`${BASE}/tools/resize`);
  await page.locator("#run").waitFor();
  await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
  assert.equal(await page.locator("#theme").inputValue(), "dark");
  await shot("dark-theme");
  await page.goto(`${BASE}/admin/settings`);
  await page.getByLabel("App name").fill("");
  await page.getByLabel("Default theme").selectOption("light");
  await page.getByLabel("Split", { exact: true }).uncheck();
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText("Settings saved").waitFor();
});

test("branding: an uploaded logo is shown in the header (fetched as a blob)", async () => {
  await page.goto(`${BASE}/admin/branding`);
  await page.getByLabel("Logo image").setInputFiles(fixture("test-100x100.jpg"));
  await page.getByRole("button", { name: "Upload logo" }).click();
  await page.locator("img.logo-preview:not([hidden])").waitFor();
  await page.goto(BASE);
  await page.waitForFunction(() => {
    const img = document.getElementById("logo");
    return !img.hidden && img.src.startsWith("blob:") && img.naturalWidth > 0;
  });
  assert.match(await page.locator("#logo").getAttribute("alt"), /logo/);
  await page.goto(`${BASE}/admin/branding`);
  await page.getByRole("button", { name: "Remove logo" }).click();
  await page.locator("img.logo-preview").waitFor({ state: "hidden" });
});

test("served files: content types, CSP, fallback to index.html, JSON 404 under /api/", async () => {
  const r = await page.request.get(`${BASE}/app.js`);
  assert.match(r.headers()["content-type"], /^text\/javascript/);
  const idx = await page.request.get(`${BASE}/some/client/route`);
  assert.equal(idx.status(), 200);
  assert.match(idx.headers()["content-type"], /^text\/html/);
  assert.match(idx.headers()["content-security-policy"], /default-src 'self'/);
  assert.match(await idx.text(), /<script type="module" src="\/app.js">/);
  const api = await page.request.get(`${BASE}/api/v1/nope`, { headers: { Authorization: `Bearer ${await page.evaluate(() => localStorage.getItem("ashim-token"))}` } });
  assert.equal(api.status(), 404);
  assert.equal((await api.json()).code, "NOT_FOUND");
  assert.equal((await page.request.get(`${BASE}/missing.js`)).status(), 404);
});

test("AUTH_ENABLED=false goes straight in", async () => {
  if (!NOAUTH) return;
  const p = await context.newPage();
  watch(p);
  await p.goto(NOAUTH);
  await p.getByRole("heading", { name: "Tools", exact: true }).waitFor();
  assert.equal(await p.getByRole("button", { name: "Sign in" }).count(), 0);
  assert.ok(await p.getByRole("button", { name: "Sign out" }).isHidden());
  await p.close();
});

test("no script errors or CSP violations on any page", () => {
  assert.deepEqual(problems, []);
});
