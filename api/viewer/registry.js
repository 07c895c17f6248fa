// The registry page: models, versions, aliases, cards, evaluations and the audit log; alias
// moves only with a key that allows them (the gateway decides, this page shows its answer).
import { api, apiKey, escapeHtml, problemText, say, wireKeyForm } from "./common.js";

const $ = (id) => document.getElementById(id);
const state = { model: null };
// Clicks can outrun answers: only the latest choice of model (and of its version) draws; older
// answers are dropped.
let shown = 0;
let shownVersion = 0;

wireKeyForm($("key-form"), () => {
  aliasForm(apiKey() ? null : "Enter a key with the models:promote scope above to change an alias.");
  loadModels();
});
$("promote").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  changeAlias(`aliases/${encodeURIComponent(form.get("alias"))}`, "PUT",
    { version: Number(form.get("version")), reason: form.get("reason") });
});
$("rollback").addEventListener("click", () => {
  const form = new FormData($("promote"));
  changeAlias(`aliases/${encodeURIComponent(form.get("alias"))}/rollback`, "POST", { reason: form.get("reason") });
});
aliasForm(apiKey() ? null : "Enter a key with the models:promote scope above to change an alias.");
loadModels();

/** The alias form on (``why`` null) or off, with why next to it. */
function aliasForm(why) {
  $("promote-fields").disabled = Boolean(why);
  say($("promote-note"), why || "", "notice");
}

async function loadModels() {
  const panel = $("models");
  try {
    const models = await api("/v1/models");
    panel.replaceChildren(...models.map((model) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "model";
      button.dataset.name = model.name;
      button.setAttribute("aria-pressed", String(model.name === state.model));
      const aliases = Object.entries(model.aliases).map(([a, v]) => `${a} → v${v}`).join(", ");
      button.innerHTML = `<strong>${escapeHtml(model.name)}</strong> <span class="muted">${escapeHtml(model.task)},
        latest v${model.latest_version ?? "-"}</span><br><span class="small">${escapeHtml(aliases || "no alias")}</span>`;
      button.addEventListener("click", () => loadModel(model.name));
      return button;
    }));
    if (!models.length) panel.textContent = "No model registered yet.";
    if (state.model) await loadModel(state.model);
    else if (models.length) await loadModel(models[0].name);
  } catch (error) {
    panel.textContent = problemText(error);
  }
}

async function loadModel(name) {
  const ticket = ++shown;
  state.model = name;
  for (const button of document.querySelectorAll("button.model")) {
    button.setAttribute("aria-pressed", String(button.dataset.name === name));
  }
  try {
    const detail = await api(`/v1/models/${encodeURIComponent(name)}`);
    if (ticket !== shown) return;
    const m = detail.model;
    $("model").classList.remove("muted");
    $("model").dataset.model = name;
    $("model").innerHTML = `<p><strong>${escapeHtml(m.name)}</strong> (${escapeHtml(m.task)}): ${escapeHtml(m.description || "")}</p>
      <p class="small muted">created ${escapeHtml(m.created_at)} by ${escapeHtml(m.created_by)}</p>`;
    const rows = [...detail.versions].reverse().map((v) => `<tr>
      <td><button type="button" class="version" data-version="${v.version}">v${v.version}</button></td>
      <td>${escapeHtml(v.aliases.join(", "))}</td>
      <td>${escapeHtml(v.training.data.name)}${v.training.data.synthetic ? " <strong>(synthetic)</strong>" : ""}</td>
      <td>${escapeHtml(v.created_at)}</td><td>${v.card_complete ? "complete" : "incomplete"}</td>
      <td>${v.calibration ? escapeHtml(v.calibration.method) : "none"}</td></tr>`).join("");
    $("versions").dataset.model = name;
    $("versions").innerHTML = `<table><thead><tr><th scope="col">version</th><th scope="col">aliases</th>
      <th scope="col">trained on</th><th scope="col">registered</th><th scope="col">card</th>
      <th scope="col">calibration</th></tr></thead><tbody>${rows}</tbody></table>`;
    for (const button of document.querySelectorAll("button.version")) {
      button.addEventListener("click", () => loadVersion(Number(button.dataset.version), shown));
    }
    const newest = detail.versions.at(-1);
    if (newest) await loadVersion(newest.version, ticket);
    await loadAudit(name, ticket);
  } catch (error) {
    if (ticket === shown) $("model").textContent = problemText(error);
  }
}

async function loadVersion(version, ticket) {
  const mine = ++shownVersion;
  const current = () => ticket === shown && mine === shownVersion;
  const name = encodeURIComponent(state.model);
  $("promote").elements.version.value = version;
  try {
    const [info, card] = await Promise.all([
      api(`/v1/models/${name}/versions/${version}`),
      api(`/v1/models/${name}/versions/${version}/card?format=html`, { accept: "text/html" }),
    ]);
    if (!current()) return;
    $("card").srcdoc = card;
    $("card").dataset.model = state.model;
    const rows = info.evaluations.map((e) => {
      const primary = e.metrics.find((m) => m.name === e.primary_metric) ?? { value: NaN };
      const interval = primary.ci_low == null ? "" : `[${primary.ci_low.toFixed(3)}, ${primary.ci_high.toFixed(3)}]`;
      return `<tr><td>${escapeHtml(e.data_name)}</td><td>${e.n_images}</td>
        <td>${escapeHtml(e.primary_metric)}</td><td>${Number(primary.value).toFixed(3)}</td><td>${interval}</td></tr>`;
    }).join("");
    $("evaluations").classList.remove("muted");
    $("evaluations").innerHTML = info.evaluations.length
      ? `<table><thead><tr><th scope="col">data</th><th scope="col">images</th><th scope="col">primary metric</th>
        <th scope="col">value</th><th scope="col">95 % CI</th></tr></thead><tbody>${rows}</tbody></table>`
      : "No evaluation attached: the production gates refuse this version.";
  } catch (error) {
    if (current()) $("evaluations").textContent = problemText(error);
  }
}

async function loadAudit(name, ticket) {
  const panel = $("audit");
  try {
    const entries = await api(`/v1/models/${encodeURIComponent(name)}/audit`);
    if (ticket !== shown) return;
    const rows = [...entries].reverse().slice(0, 50).map((e) => `<tr><td>${escapeHtml(e.at)}</td>
      <td>${escapeHtml(e.actor)}</td><td>${escapeHtml(e.action)}</td><td>${e.version ?? ""}</td>
      <td>${escapeHtml(e.alias ?? "")}</td><td>${escapeHtml(e.reason)}</td></tr>`).join("");
    panel.classList.remove("muted");
    panel.dataset.model = name;
    panel.innerHTML = `<table><thead><tr><th scope="col">when</th><th scope="col">who</th><th scope="col">what</th>
      <th scope="col">version</th><th scope="col">alias</th><th scope="col">why</th></tr></thead><tbody>${rows}</tbody></table>`;
  } catch (error) {
    if (ticket === shown) panel.textContent = `${problemText(error)} (the audit log needs the audit:read scope)`;
  }
}

async function changeAlias(path, method, json) {
  try {
    const moved = await api(`/v1/models/${encodeURIComponent(state.model)}/${path}`, { method, json });
    say($("status"), `${moved.model_name} ${moved.alias}: v${moved.before ?? "-"} → v${moved.after}`);
    await loadModels();
  } catch (error) {
    say($("status"), `Alias not changed: ${problemText(error)}`, "error");
    if (error.status === 403) aliasForm("This key lacks the models:promote scope (the gateway answered 403): enter a key that has it to change an alias.");
    if (error.status === 401) aliasForm("The gateway refused this key (401): enter a valid key with the models:promote scope.");
  }
}
