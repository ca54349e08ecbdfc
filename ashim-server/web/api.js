// HTTP client for the ashim REST API: bearer token from localStorage["ashim-token"],
// the error envelope turned into ApiError, helpers for JSON, multipart and binary replies.

const TOKEN_KEY = "ashim-token";

export function token() {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(t) {
  if (t) localStorage.setItem(TOKEN_KEY, t);
  else localStorage.removeItem(TOKEN_KEY);
}

/** An error answer of the server: status, stable code, message, details. */
export class ApiError extends Error {
  constructor(status, body) {
    const msg = (body && (body.message || body.error)) || `HTTP ${status}`;
    super(msg);
    this.status = status;
    this.code = body && body.code ? String(body.code).toLowerCase() : "";
    this.body = body || {};
    this.details = body ? body.details : undefined;
  }
  /** Field errors as [{path, message}] (details array), else []. */
  fieldErrors() {
    return Array.isArray(this.details)
      ? this.details.filter((d) => d && typeof d === "object" && "message" in d)
      : [];
  }
}

let onAuthLost = () => {};
let onMustChange = () => {};

/** Hooks the app installs: a 401 sends to sign-in, MUST_CHANGE_PASSWORD to the change form. */
export function onAuth(lost, mustChange) {
  onAuthLost = lost;
  onMustChange = mustChange;
}

function headers(extra) {
  const h = new Headers(extra || {});
  const t = token();
  if (t) h.set("Authorization", `Bearer ${t}`);
  return h;
}

async function failure(resp) {
  let body = null;
  try {
    body = await resp.json();
  } catch {
    body = { message: resp.statusText };
  }
  const err = new ApiError(resp.status, body);
  if (resp.status === 401 && !resp.url.includes("/api/auth/login") && !resp.url.includes("/change-password")) onAuthLost(err);
  if (resp.status === 403 && String(err.code).toUpperCase() === "MUST_CHANGE_PASSWORD") onMustChange(err);
  return err;
}

/**
 * Raw request. `opts.json` sends a JSON body, `opts.form` a FormData; returns the Response
 * (throws ApiError on a non-2xx status).
 */
export async function request(path, opts = {}) {
  const init = { method: opts.method || "GET", headers: headers(opts.headers) };
  if (opts.json !== undefined) {
    init.headers.set("Content-Type", "application/json");
    init.body = JSON.stringify(opts.json);
    if (!opts.method) init.method = "POST";
  } else if (opts.form) {
    init.body = opts.form;
    if (!opts.method) init.method = "POST";
  }
  const resp = await fetch(path, init);
  if (!resp.ok) throw await failure(resp);
  return resp;
}

/** Request and parse a JSON answer. */
export async function api(path, opts) {
  const resp = await request(path, opts);
  const text = await resp.text();
  return text ? JSON.parse(text) : {};
}

/** The file name of a Content-Disposition header, or null. */
export function dispositionName(resp) {
  const cd = resp.headers.get("Content-Disposition") || "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) return decodeURIComponent(star[1]);
  const m = /filename="?([^";]+)"?/i.exec(cd);
  return m ? decodeURIComponent(m[1]) : null;
}

/** Fetch bytes with the bearer header (thumbnails, downloads) as {blob, url, name, type}. */
export async function fetchBlob(path) {
  const resp = await request(path);
  const blob = await resp.blob();
  const last = decodeURIComponent(path.split("?")[0].split("/").pop() || "download");
  return { blob, url: URL.createObjectURL(blob), name: dispositionName(resp) || last, type: blob.type };
}

/** A fresh id for clientJobId (matches [A-Za-z0-9_-]{1,64}). */
export function newJobId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/**
 * Follow a job's SSE stream. `onEvent(data)` sees every event; resolves with the terminal
 * event (phase complete/failed or status completed/failed) or null when closed.
 */
export function followJob(jobId, onEvent) {
  const es = new EventSource(`/api/v1/jobs/${encodeURIComponent(jobId)}/progress`);
  let settle;
  const done = new Promise((r) => (settle = r));
  es.onmessage = (m) => {
    let data;
    try {
      data = JSON.parse(m.data);
    } catch {
      return;
    }
    onEvent(data);
    const end = ["complete", "failed"].includes(data.phase) || ["completed", "failed"].includes(data.status);
    if (end) {
      es.close();
      settle(data);
    }
  };
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED) settle(null);
  };
  return { done, close: () => { es.close(); settle(null); } };
}
