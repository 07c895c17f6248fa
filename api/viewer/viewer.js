// The viewer: one upload, every answer the gateway gives about it, drawn on the image.
import { api, escapeHtml, openCard, percent, Problem, say, wireKeyForm } from "./common.js";

const $ = (id) => document.getElementById(id);
const MAX_SIDE = 1536; // render and heatmap share it, so they lie on each other pixel for pixel
const SVG = "http://www.w3.org/2000/svg";
const state = { file: null, values: null, width: 0, height: 0 };

wireKeyForm($("key-form"), () => state.file && analyse(state.file));
$("file").addEventListener("change", (event) => {
  const [file] = event.target.files;
  if (file) analyse(file);
});
const drop = $("drop");
drop.addEventListener("dragover", (event) => event.preventDefault());
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  const [file] = event.dataTransfer.files;
  if (file) analyse(file);
});
for (const id of ["window", "level"]) $(id).addEventListener("input", drawImage);
$("reset-wl").addEventListener("click", () => {
  $("window").value = 65535;
  $("level").value = 32768;
  drawImage();
});
$("opacity").addEventListener("input", applyOpacity);
$("show-heatmap").addEventListener("change", applyOpacity);
$("show-boxes").addEventListener("change", () => { $("boxes").hidden = !$("show-boxes").checked; });
$("method").addEventListener("change", () => state.file && explain(state.file));
$("explain-task").addEventListener("change", () => state.file && explain(state.file));
$("target").addEventListener("change", () => state.file && explain(state.file));
$("study-form").addEventListener("submit", (event) => {
  event.preventDefault();
  analyseStudy($("study-uid").value.trim());
});
for (const [field, name] of [["classifier-ref", "classifier"], ["detector-ref", "detector"]]) {
  const given = new URLSearchParams(location.search).get(name);
  if (given) $(field).value = given;
  $(field).addEventListener("change", () => state.file && analyse(state.file));
}
applyOpacity();
drawWindowLabels();

function modelQuery(task) {
  const ref = $(task === "classify" ? "classifier-ref" : "detector-ref").value.trim() || "production";
  return `model=${encodeURIComponent(ref)}`;
}

function upload(path, file) {
  const form = new FormData();
  form.append("file", file, file.name);
  return api(path, { method: "POST", body: form });
}

function problemText(error) {
  if (error instanceof Problem) {
    const hint = error.status === 401 ? " Enter an API key with the inference scope above." : "";
    return `${error.status} ${error.message}${hint}`;
  }
  return String(error);
}

async function analyse(file) {
  state.file = file;
  for (const id of ["ood-banner", "synthetic-banner", "calibration-banner"]) $(id).hidden = true;
  $("study").hidden = true;
  say($("status"), `Reading ${file.name} ...`);
  document.body.dataset.state = "busy";
  try {
    showImage(await upload(`/v1/render?max_side=${MAX_SIDE}`, file));
  } catch (error) {
    say($("status"), `Cannot show ${file.name}: ${problemText(error)}`, "error");
    document.body.dataset.state = "error";
    return;
  }
  say($("status"), `Analysing ${file.name} ...`);
  const [classified, detected] = await Promise.allSettled([
    upload(`/v1/classify?${modelQuery("classify")}`, file),
    upload(`/v1/detect?${modelQuery("detect")}`, file),
  ]);
  showClassification(classified);
  showDetections(detected);
  showInputCheck([classified, detected]);
  await showModels([classified, detected]);
  await explain(file);
  say($("status"), `${file.name}: done.`);
  document.body.dataset.state = "done";
}

// --- the image, with window and level applied in the browser ------------------------------

function showImage(render) {
  const bytes = Uint8Array.from(atob(render.pixels_base64), (c) => c.charCodeAt(0));
  const values = new Uint16Array(render.width * render.height);
  for (let i = 0; i < values.length; i++) values[i] = bytes[2 * i] | (bytes[2 * i + 1] << 8);
  Object.assign(state, { values, width: render.width, height: render.height });
  for (const canvas of [$("image"), $("heatmap")]) {
    canvas.width = render.width;
    canvas.height = render.height;
  }
  $("heatmap").getContext("2d").clearRect(0, 0, render.width, render.height);
  const boxes = $("boxes");
  boxes.setAttribute("viewBox", `0 0 ${render.image.columns} ${render.image.rows}`);
  boxes.replaceChildren();
  $("image-wrap").style.setProperty("--aspect", String(render.width / render.height));
  $("image-wrap").hidden = false;
  $("placeholder").hidden = true;
  drawImage();
}

function drawWindowLabels() {
  $("window-value").textContent = $("window").value;
  $("level-value").textContent = $("level").value;
}

function drawImage() {
  drawWindowLabels();
  if (!state.values) return;
  const width = Number($("window").value);
  const level = Number($("level").value);
  const low = level - width / 2;
  const lut = new Uint8ClampedArray(65536);
  for (let v = 0; v < 65536; v++) lut[v] = ((v - low) / width) * 255;
  const context = $("image").getContext("2d");
  const picture = context.createImageData(state.width, state.height);
  const rgba = picture.data;
  for (let i = 0, j = 0; i < state.values.length; i++, j += 4) {
    const grey = lut[state.values[i]];
    rgba[j] = rgba[j + 1] = rgba[j + 2] = grey;
    rgba[j + 3] = 255;
  }
  context.putImageData(picture, 0, 0);
}

// --- answers ------------------------------------------------------------------------------

function showClassification(settled) {
  const panel = $("classification");
  panel.classList.remove("muted");
  if (settled.status === "rejected") {
    panel.textContent = problemText(settled.reason);
    return;
  }
  const answer = settled.value;
  const p = answer.probabilities;
  const rows = ["normal", "benign", "malignant"].map((name) => `
    <div class="prob"><span>${name}</span>
      <meter min="0" max="1" value="${p[name]}" aria-label="${name} probability"></meter>
      <span class="num" data-class="${name}">${percent(p[name])}</span></div>`).join("");
  const prediction = answer.prediction;
  let decision = `Most probable: <strong>${escapeHtml(prediction.label)}</strong>.`;
  if (prediction.abnormal !== null && prediction.abnormal_threshold !== null) {
    const verdict = prediction.abnormal ? "abnormal" : "not abnormal";
    const sign = prediction.abnormal ? "≥" : "<";
    decision = `At the operating point: <strong id="decision">${verdict}</strong> (score
      ${prediction.abnormal_score.toFixed(3)} ${sign} threshold ${prediction.abnormal_threshold.toFixed(3)}).
      Most probable: ${escapeHtml(prediction.label)}.`;
  }
  const calibration = answer.calibrated
    ? `Calibrated (${escapeHtml(answer.calibration.method)}).`
    : "Not calibrated: read the probabilities as scores.";
  panel.innerHTML = `${rows}<p>${decision}</p><p class="small">${calibration}</p>`;
  if (!answer.calibrated) {
    say($("calibration-banner"), "The classifier's probabilities are not calibrated for this model version: compare them with each other, not with a risk.", "notice");
  }
}

function showDetections(settled) {
  const panel = $("detections");
  panel.classList.remove("muted");
  const boxes = $("boxes");
  boxes.replaceChildren();
  if (settled.status === "rejected") {
    panel.textContent = problemText(settled.reason);
    return;
  }
  const answer = settled.value;
  const threshold = answer.score_threshold;
  if (!answer.detections.length) {
    panel.textContent = "No mass found.";
    return;
  }
  const items = answer.detections.map((d, index) => {
    const [x0, y0, x1, y1] = d.box;
    const above = threshold === null || d.score >= threshold;
    const rect = document.createElementNS(SVG, "rect");
    Object.entries({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 }).forEach(([k, v]) => rect.setAttribute(k, v));
    rect.setAttribute("class", above ? "box above" : "box below");
    rect.setAttribute("vector-effect", "non-scaling-stroke");
    rect.dataset.index = index;
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${d.label} ${d.score.toFixed(2)}`; // textContent: no markup
    rect.append(title);
    const label = document.createElementNS(SVG, "text");
    label.setAttribute("x", x0);
    label.setAttribute("y", Math.max(0, y0 - 6));
    label.setAttribute("class", above ? "box-label above" : "box-label below");
    const size = Math.max(8, 0.028 * Math.max(answer.image.rows, answer.image.columns));
    label.setAttribute("font-size", size.toFixed(1));
    label.setAttribute("stroke-width", (size / 7).toFixed(1));
    label.textContent = `${index + 1}: ${d.score.toFixed(2)}`;
    boxes.append(rect, label);
    return `<li class="${above ? "above" : "below"}">#${index + 1} ${escapeHtml(d.label)}: score
      ${d.score.toFixed(3)}, malignancy ${d.malignancy.toFixed(3)}${above ? "" : " (below threshold)"}
      <span class="small muted">[${d.box.map((v) => Math.round(v)).join(", ")}]</span></li>`;
  });
  const cut = threshold === null ? "no operating threshold" : `threshold ${threshold.toFixed(3)}`;
  panel.innerHTML = `<ol>${items.join("")}</ol><p class="small">${answer.calibrated ? "Calibrated scores" : "Uncalibrated scores"}, ${cut}.</p>`;
}

function showInputCheck(settled) {
  const panel = $("ood");
  panel.classList.remove("muted");
  const assessments = settled.filter((s) => s.status === "fulfilled" && s.value.ood).map((s) => s.value.ood);
  if (!assessments.length) {
    panel.textContent = "No out-of-distribution check for these versions.";
    return;
  }
  const flagged = assessments.filter((a) => a.flagged);
  const reasons = [...new Set(flagged.flatMap((a) => a.reasons))];
  panel.innerHTML = assessments.map((a) => `<p>${escapeHtml(a.detector)}: score ${a.score.toFixed(2)} (threshold
    ${a.threshold.toFixed(2)}) ${a.flagged ? "<strong>flagged</strong>" : "in distribution"}</p>`).join("");
  if (flagged.length) {
    const why = reasons.length ? reasons.join("; ") : "its features are unlike the training images'";
    say($("ood-banner"), `Do not trust these answers: this image looks unlike the images the models were trained on (${why}).`, "danger");
  }
}

async function showModels(settled) {
  const panel = $("models");
  panel.classList.remove("muted");
  panel.replaceChildren();
  const synthetic = [];
  for (const s of settled) {
    if (s.status !== "fulfilled") continue;
    const { name, version, alias } = s.value.model;
    const row = document.createElement("p");
    row.innerHTML = `<strong>${escapeHtml(name)}</strong> version ${version}${alias ? ` (${escapeHtml(alias)})` : ""} `;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Model card";
    button.addEventListener("click", () => openCard(name, version).catch((e) => say($("status"), problemText(e), "error")));
    row.append(button);
    panel.append(row);
    try {
      const info = await api(`/v1/models/${encodeURIComponent(name)}/versions/${version}`);
      if (info.training?.data?.synthetic) synthetic.push(`${name} v${version}`);
    } catch {
      // the version's details need models:read; the answers above stand without them
    }
  }
  if (synthetic.length) {
    say($("synthetic-banner"), `Trained on synthetic data only (${synthetic.join(", ")}): a demonstration, not for clinical use.`, "warning");
  }
}

// --- the explanation ----------------------------------------------------------------------

async function explain(file) {
  const panel = $("explanation");
  panel.classList.remove("muted");
  const task = $("explain-task").value;
  const method = $("method").value;
  panel.textContent = `Computing ${method} ...`;
  $("heatmap").dataset.method = "";
  try {
    const target = task === "classify" && $("target").value ? `&target=${$("target").value}` : "";
    const query = `task=${task}&method=${method}&max_side=${MAX_SIDE}&${modelQuery(task)}${target}`;
    const answer = await upload(`/v1/explain?${query}`, file);
    const painted = await drawHeatmap(answer.heatmap);
    $("heatmap").dataset.method = method;
    const what = answer.explained.description;
    const empty = painted ? "" : "<p><strong>The map is empty:</strong> no positive evidence for this output.</p>";
    panel.innerHTML = `<p>${escapeHtml(answer.method.name)} of ${escapeHtml(answer.model.name)} v${answer.model.version}: ${escapeHtml(what)}
      (value ${answer.explained.value.toFixed(3)}).</p><p class="small muted">Warm colours: evidence for
      that output; none outside the region the model saw.</p>${empty}`;
  } catch (error) {
    $("heatmap").getContext("2d").clearRect(0, 0, state.width, state.height);
      panel.textContent = problemText(error);
  }
}

function jet(t) {
  const r = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 3)));
  const g = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 2)));
  const b = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 1)));
  return [r * 255, g * 255, b * 255];
}

async function drawHeatmap(heatmap) {
  const picture = new Image();
  picture.src = `data:image/png;base64,${heatmap.png_base64}`;
  await picture.decode();
  const canvas = $("heatmap");
  const context = canvas.getContext("2d");
  const scratch = new OffscreenCanvas(heatmap.width, heatmap.height);
  const scratchContext = scratch.getContext("2d");
  scratchContext.drawImage(picture, 0, 0);
  const values = scratchContext.getImageData(0, 0, heatmap.width, heatmap.height);
  const rgba = values.data;
  let painted = 0;
  for (let j = 0; j < rgba.length; j += 4) {
    const t = rgba[j] / 255;
    painted += t >= 0.02;
    const [r, g, b] = jet(t);
    rgba[j] = r;
    rgba[j + 1] = g;
    rgba[j + 2] = b;
    rgba[j + 3] = t < 0.02 ? 0 : Math.min(255, 80 + 175 * t); // no evidence: transparent
  }
  scratchContext.putImageData(values, 0, 0);
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.drawImage(scratch, 0, 0, canvas.width, canvas.height);
  return painted;
}

function applyOpacity() {
  const opacity = Number($("opacity").value) / 100;
  $("opacity-value").textContent = `${$("opacity").value} %`;
  $("heatmap").style.opacity = $("show-heatmap").checked ? String(opacity) : "0";
}

// --- a study from the PACS ----------------------------------------------------------------

async function analyseStudy(uid) {
  if (!uid) return;
  const panel = $("study");
  say($("status"), `Analysing study ${uid} ...`);
  try {
    const refs = `classifier=${encodeURIComponent($("classifier-ref").value)}&detector=${encodeURIComponent($("detector-ref").value)}`;
    const study = await api(`/v1/studies/${encodeURIComponent(uid)}/analyse?${refs}`, { method: "POST" });
    panel.innerHTML = studyHtml(study);
    panel.hidden = false;
    say($("status"), `Study ${uid}: ${study.images.length} images analysed, ${study.skipped.length} skipped.`);
  } catch (error) {
    say($("status"), `Cannot analyse study ${uid}: ${problemText(error)}`, "error");
  }
}

const HANGING = ["RCC", "LCC", "RMLO", "LMLO"]; // the usual four-view layout, right breast left

function studyHtml(study) {
  const yesNo = (value) => (value === null ? "no threshold" : value ? "<strong>abnormal</strong>" : "not abnormal");
  const breasts = study.breasts.map((b) => `<tr><th scope="row">${escapeHtml(b.laterality)}</th>
    <td>${yesNo(b.abnormal)} (score ${b.abnormal_score.toFixed(3)})</td><td>${escapeHtml(b.worst_label)}</td>
    <td>${percent(b.malignant_probability)}</td><td>${b.masses}</td>
    <td>${b.highest_mass_malignancy === null ? "-" : b.highest_mass_malignancy.toFixed(3)}</td>
    <td>${b.out_of_distribution ? "<strong>flagged</strong>" : "no"}</td></tr>`).join("");
  const rank = (image) => {
    const at = HANGING.indexOf(`${image.laterality}${image.view}`);
    return at < 0 ? HANGING.length : at;
  };
  const views = [...study.images].sort((a, b) => rank(a) - rank(b)).map((image) => {
    const c = image.classification;
    const ood = c.ood?.flagged || image.detection.ood?.flagged;
    return `<article class="view${ood ? " flagged" : ""}"><h3>${escapeHtml(image.laterality)} ${escapeHtml(image.view)}</h3>
      <p>normal ${percent(c.probabilities.normal)}, benign ${percent(c.probabilities.benign)},
      malignant ${percent(c.probabilities.malignant)}</p>
      <p>${yesNo(c.prediction.abnormal)}; ${image.detection.detections.length} mass candidate(s)</p>
      ${ood ? "<p><strong>Out of distribution: do not trust</strong></p>" : ""}
      <p class="small muted">${escapeHtml(image.sop_instance_uid)}</p></article>`;
  }).join("");
  const skipped = study.skipped.map((s) => `<li>${escapeHtml(s.sop_instance_uid)}: ${escapeHtml(s.detail)}</li>`).join("");
  const exam = study.exam
    ? `<p>Exam: ${yesNo(study.exam.abnormal)}, worst label ${escapeHtml(study.exam.worst_label)},
       malignant ${percent(study.exam.malignant_probability)}, ${study.exam.masses} mass(es)${study.exam.out_of_distribution ? ", <strong>out of distribution</strong>" : ""}.</p>`
    : "<p>No image of the study could be analysed.</p>";
  return `<h2>Study ${escapeHtml(study.study_instance_uid)}</h2>${exam}
    <table><thead><tr><th scope="col">breast</th><th scope="col">decision</th><th scope="col">worst label</th>
    <th scope="col">malignant</th><th scope="col">masses</th><th scope="col">highest mass malignancy</th>
    <th scope="col">out of distribution</th></tr></thead><tbody>${breasts}</tbody></table>
    <div class="views">${views}</div>
    ${skipped ? `<h3>Skipped</h3><ul>${skipped}</ul>` : ""}
    <p class="small muted">The pixels stay in the PACS; upload an image here to see its boxes and heatmap.</p>`;
}
