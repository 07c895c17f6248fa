// Shared by the viewer pages: the API key, calls to the gateway, problem+json errors, model cards.
// Same origin as the gateway: no CDN, nothing outside this machine is contacted.

const KEY_STORAGE = "mammocad.apiKey";

export function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) || "";
}

export function setApiKey(value) {
  if (value) sessionStorage.setItem(KEY_STORAGE, value);
  else sessionStorage.removeItem(KEY_STORAGE);
}

/** An answer the gateway refused: the RFC 9457 problem it sent, or what went wrong. */
export class Problem extends Error {
  constructor(status, title, detail) {
    super(`${title}${detail ? ": " + detail : ""}`);
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

/** Call the gateway with the key (when one is set); JSON in and out. */
export async function api(path, { method = "GET", body, json, accept } = {}) {
  const headers = {};
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  if (accept) headers.Accept = accept;
  const response = await fetch(path, { method, headers, body });
  if (!response.ok) {
    let problem = {};
    try {
      problem = await response.json();
    } catch {
      problem = { title: response.statusText };
    }
    throw new Problem(response.status, problem.title || `HTTP ${response.status}`, problem.detail || "");
  }
  if (accept && !accept.includes("json")) return response.text();
  return response.json();
}

/** What went wrong, for a person: the problem's status, title and detail, and ``keyHint`` when
 * the gateway asked for a key (401). */
export function problemText(error, keyHint = "Enter an API key above.") {
  if (error instanceof Problem) {
    return `${error.status} ${error.message}${error.status === 401 ? ` ${keyHint}` : ""}`;
  }
  return String(error);
}

/** Wire the key field of a page's header: shown masked, kept for this browser tab only. */
export function wireKeyForm(form, onChange) {
  const input = form.querySelector("input");
  input.value = apiKey();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setApiKey(input.value.trim());
    onChange?.();
  });
}

/** Put a message in a live region (screen readers announce it); an empty one hides it. */
export function say(element, text, kind = "info") {
  element.textContent = text;
  element.dataset.kind = kind;
  element.hidden = !text;
}

export function percent(value) {
  return `${(100 * value).toFixed(1)} %`;
}

/** A model card (it needs the key, so a plain link cannot show it) in ``dialog``: a modal
 * <dialog> holding a sandboxed <iframe> (no scripts, an opaque origin: the card's HTML cannot
 * reach this page or the key), closed with Escape or its Close button, focus given back. */
export async function showCard(dialog, name, version) {
  const opener = document.activeElement;
  const html = await api(`/v1/models/${encodeURIComponent(name)}/versions/${version}/card?format=html`,
    { accept: "text/html" });
  dialog.querySelector("h2").textContent = `Model card: ${name} version ${version}`;
  const frame = dialog.querySelector("iframe");
  frame.title = `Model card of ${name} version ${version}`;
  frame.srcdoc = html;
  dialog.addEventListener("close", () => opener?.focus?.(), { once: true });
  dialog.showModal();
}

/** Text made safe to put inside HTML (answers can carry strings read from an upload). */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
