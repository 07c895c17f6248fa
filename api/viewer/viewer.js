// The viewer: one upload or one PACS study, every answer the gateway gives about it, drawn on
// the image.
import { api, escapeHtml, percent, problemText, say, showCard, wireKeyForm } from "./common.js";

const $ = (id) => document.getElementById(id);
const MAX_SIDE = 1536; // render and heatmap share it, so they lie on each other pixel for pixel
const VIEW_MAX_SIDE = 1024; // a hung study view is a quarter of the stage
const SVG = "http://www.w3.org/2000/svg";
const KEY_HINT = "Enter an API key with the inference scope above.";
const HANGING = ["RCC", "LCC", "RMLO", "LMLO"]; // the usual four-view layout, right breast left
const PANELS = ["classification", "detections", "explanation", "ood", "models"];
const BANNERS = ["ood-banner", "synthetic-banner", "calibration-banner"];

// What is on screen: the uploaded file (only once its pixels are shown), its display values,
// and the hung views of a study.
const state = { file: null, values: null, width: 0, height: 0, views: [] };
// Answers arrive out of order (a large earlier upload, a slow SHAP before a quick Grad-CAM):
// each request takes a ticket, and an answer whose ticket is no longer the latest is dropped
// after every await, never drawn over what is on screen now.
const tickets = { shown: 0, explanation: 0 };

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
for (const id of ["window", "level"]) $(id).addEventListener("input", drawImages);
$("reset-wl").addEventListener("click", () => {
  $("window").value = 65535;
  $("level").value = 32768;
  drawImages();
});
$("opacity").addEventListener("input", applyOpacity);
$("show-heatmap").addEventListener("change", applyOpacity);
$("show-boxes").addEventListener("change", () => {
  document.body.classList.toggle("hide-boxes", !$("show-boxes").checked);
});
for (const id of ["method", "explain-task", "target"]) {
  $(id).addEventListener("change", () => state.file && explain(state.file));
}
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

function modelRef(task) {
  return $(task === "classify" ? "classifier-ref" : "detector-ref").value.trim() || "production";
}

function upload(path, file) {
  const form = new FormData();
  form.append("file", file, file.name);
  return api(path, { method: "POST", body: form });
}

/** A new image or study takes the screen: a ticket for it, older answers dropped, and nothing
 * of what was shown before left standing (its image, boxes, heatmap, panels, banners, study). */
function takeScreen(panelText) {
  const ticket = ++tickets.shown;
  tickets.explanation++;
  Object.assign(state, { file: null, values: null, width: 0, height: 0, views: [] });
  $("image-wrap").hidden = true;
  $("placeholder").hidden = false;
  $("boxes").replaceChildren();
  const heatmap = $("heatmap");
  heatmap.getContext("2d").clearRect(0, 0, heatmap.width, heatmap.height);
  heatmap.dataset.method = "";
  for (const id of PANELS) {
    $(id).classList.add("muted");
    $(id).textContent = panelText;
  }
  for (const id of BANNERS) say($(id), "");
  $("study").hidden = true;
  $("study").replaceChildren();
  document.body.classList.remove("study-shown");
  return () => ticket === tickets.shown;
}

function finish(text, outcome) {
  say($("status"), text, outcome === "error" ? "error" : "info");
  document.body.dataset.state = outcome;
}

async function analyse(file) {
  const current = takeScreen("No image yet.");
  $("drop").hidden = false;
  say($("status"), `Reading ${file.name} ...`);
  document.body.dataset.state = "busy";
  let render;
  try {
    render = await upload(`/v1/render?max_side=${MAX_SIDE}`, file);
  } catch (error) {
    if (current()) finish(`Cannot show ${file.name}: ${problemText(error, KEY_HINT)}`, "error");
    return;
  }
  if (!current()) return;
  state.file = file;
  showImage(render);
  say($("status"), `Analysing ${file.name} ...`);
  const [classified, detected] = await Promise.allSettled([
    upload(`/v1/classify?model=${encodeURIComponent(modelRef("classify"))}`, file),
    upload(`/v1/detect?model=${encodeURIComponent(modelRef("detect"))}`, file),
  ]);
  if (!current()) return;
  showClassification(classified);
  showDetections(detected);
  showInputCheck([classified, detected]);
  showModels([classified, detected]);
  showBanners([classified, detected].filter((s) => s.status === "fulfilled").map((s) => s.value));
  await explain(file);
  if (current()) finish(`${file.name}: done.`, "done");
}

// --- the image, with window and level applied in the browser ------------------------------

function decodeValues(render) {
  const bytes = Uint8Array.from(atob(render.pixels_base64), (c) => c.charCodeAt(0));
  const values = new Uint16Array(render.width * render.height);
  for (let i = 0; i < values.length; i++) values[i] = bytes[2 * i] | (bytes[2 * i + 1] << 8);
  return values;
}

function showImage(render) {
  Object.assign(state, { values: decodeValues(render), width: render.width, height: render.height });
  for (const canvas of [$("image"), $("heatmap")]) {
    canvas.width = render.width;
    canvas.height = render.height;
  }
  $("boxes").setAttribute("viewBox", `0 0 ${render.image.columns} ${render.image.rows}`);
  $("image-wrap").style.setProperty("--aspect", String(render.width / render.height));
  $("image-wrap").hidden = false;
  $("placeholder").hidden = true;
  drawImages();
}

function drawWindowLabels() {
  $("window-value").textContent = $("window").value;
  $("level-value").textContent = $("level").value;
}

/** The upload and every hung study view, through the current window and level. */
function drawImages() {
  drawWindowLabels();
  const width = Number($("window").value);
  const low = Number($("level").value) - width / 2;
  const lut = new Uint8ClampedArray(65536);
  for (let v = 0; v < 65536; v++) lut[v] = ((v - low) / width) * 255;
  if (state.values) paintGrey($("image"), state.values, state.width, state.height, lut);
  for (const view of state.views) paintGrey(view.canvas, view.values, view.width, view.height, lut);
}

function paintGrey(canvas, values, width, height, lut) {
  const context = canvas.getContext("2d");
  const picture = context.createImageData(width, height);
  const rgba = picture.data;
  for (let i = 0, j = 0; i < values.length; i++, j += 4) {
    const grey = lut[values[i]];
    rgba[j] = rgba[j + 1] = rgba[j + 2] = grey;
    rgba[j + 3] = 255;
  }
  context.putImageData(picture, 0, 0);
}

/** The detections of one answer as SVG boxes in original pixels (the svg's viewBox is the
 * original image, so they land on any rendering of it). */
function drawBoxes(svg, detections, image) {
  svg.setAttribute("viewBox", `0 0 ${image.columns} ${image.rows}`);
  const size = Math.max(8, 0.028 * Math.max(image.rows, image.columns));
  svg.replaceChildren(...detections.flatMap((d, index) => {
    const [x0, y0, x1, y1] = d.box;
    const rect = document.createElementNS(SVG, "rect");
    Object.entries({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 }).forEach(([k, v]) => rect.setAttribute(k, v));
    rect.setAttribute("class", "box");
    rect.setAttribute("vector-effect", "non-scaling-stroke");
    rect.dataset.index = index;
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${d.label} ${d.score.toFixed(2)}`; // textContent: no markup
    rect.append(title);
    const label = document.createElementNS(SVG, "text");
    label.setAttribute("x", x0);
    label.setAttribute("y", Math.max(0, y0 - 6));
    label.setAttribute("class", "box-label");
    label.setAttribute("font-size", size.toFixed(1));
    label.setAttribute("stroke-width", (size / 7).toFixed(1));
    label.textContent = `${index + 1}: ${d.score.toFixed(2)}`;
    return [rect, label];
  }));
}

// --- answers ------------------------------------------------------------------------------

function showClassification(settled) {
  const panel = $("classification");
  panel.classList.remove("muted");
  if (settled.status === "rejected") {
    panel.textContent = problemText(settled.reason, KEY_HINT);
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
}

function showDetections(settled) {
  const panel = $("detections");
  panel.classList.remove("muted");
  if (settled.status === "rejected") {
    $("boxes").replaceChildren();
    panel.textContent = problemText(settled.reason, KEY_HINT);
    return;
  }
  const answer = settled.value;
  drawBoxes($("boxes"), answer.detections, answer.image);
  const threshold = answer.score_threshold;
  const cut = threshold === null ? "no operating threshold" : `threshold ${threshold.toFixed(3)}`;
  const scores = `${answer.calibrated ? "Calibrated scores" : "Uncalibrated scores"}, ${cut}.`;
  if (!answer.detections.length) {
    panel.innerHTML = `<p>No mass found.</p><p class="small">${scores}</p>`;
    return;
  }
  const items = answer.detections.map((d, index) => `<li>#${index + 1} ${escapeHtml(d.label)}: score
      ${d.score.toFixed(3)}, malignancy ${d.malignancy.toFixed(3)}
      <span class="small muted">[${d.box.map((v) => Math.round(v)).join(", ")}]</span></li>`);
  panel.innerHTML = `<ol>${items.join("")}</ol><p class="small">${scores}</p>`;
}

function showInputCheck(settled) {
  const panel = $("ood");
  panel.classList.remove("muted");
  const assessments = settled.filter((s) => s.status === "fulfilled" && s.value.ood).map((s) => s.value.ood);
  if (!assessments.length) {
    panel.textContent = "No out-of-distribution check for these versions.";
    return;
  }
  panel.innerHTML = assessments.map((a) => `<p>${escapeHtml(a.detector)}: score ${a.score.toFixed(2)} (threshold
    ${a.threshold.toFixed(2)}) ${a.flagged ? "<strong>flagged</strong>" : "in distribution"}</p>`).join("");
}

/** The banners every answer's own fields call for: out of distribution (with the reasons),
 * a version trained on synthetic data only, uncalibrated probabilities. */
function showBanners(answers, what = "this image looks") {
  const flagged = answers.filter((a) => a.ood?.flagged);
  if (flagged.length) {
    const reasons = [...new Set(flagged.flatMap((a) => a.ood.reasons))];
    const why = reasons.length ? reasons.join("; ") : "its features are unlike the training images'";
    say($("ood-banner"), `Do not trust these answers: ${what} unlike the images the models were trained on (${why}).`, "danger");
  }
  const synthetic = [...new Set(answers.filter((a) => a.model.synthetic_training).map((a) => `${a.model.name} v${a.model.version}`))];
  if (synthetic.length) {
    say($("synthetic-banner"), `Trained on synthetic data only (${synthetic.join(", ")}): a demonstration, not for clinical use.`, "warning");
  }
  if (answers.some((a) => a.probabilities && !a.calibrated)) {
    say($("calibration-banner"), "The classifier's probabilities are not calibrated for this model version: compare them with each other, not with a risk.", "notice");
  }
}

function showModels(settled) {
  const panel = $("models");
  panel.classList.remove("muted");
  panel.replaceChildren();
  for (const s of settled) {
    if (s.status !== "fulfilled") continue;
    const { name, version, alias, synthetic_training: synthetic } = s.value.model;
    const row = document.createElement("p");
    row.innerHTML = `<strong>${escapeHtml(name)}</strong> version ${version}${alias ? ` (${escapeHtml(alias)})` : ""}${synthetic ? ", trained on synthetic data" : ""} `;
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.name = name;
    button.textContent = "Model card";
    button.addEventListener("click", () => showCard($("card-dialog"), name, version)
      .catch((e) => say($("status"), `No model card: ${problemText(e, "Enter an API key with the models:read scope above.")}`, "error")));
    row.append(button);
    panel.append(row);
  }
}

// --- the explanation ----------------------------------------------------------------------

async function explain(file) {
  const ticket = ++tickets.explanation;
  const current = () => ticket === tickets.explanation;
  const panel = $("explanation");
  const canvas = $("heatmap");
  panel.classList.remove("muted");
  const task = $("explain-task").value;
  const method = $("method").value;
  panel.textContent = `Computing ${method} ...`;
  canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
  canvas.dataset.method = "";
  try {
    const target = task === "classify" && $("target").value ? `&target=${$("target").value}` : "";
    const query = `task=${task}&method=${method}&max_side=${MAX_SIDE}&model=${encodeURIComponent(modelRef(task))}${target}`;
    const answer = await upload(`/v1/explain?${query}`, file);
    if (!current()) return;
    const picture = new Image();
    picture.src = `data:image/png;base64,${answer.heatmap.png_base64}`;
    await picture.decode();
    if (!current()) return;
    const painted = paintHeatmap(picture, answer.heatmap);
    canvas.dataset.method = method;
    const what = answer.explained.description;
    const empty = painted ? "" : "<p><strong>The map is empty:</strong> no positive evidence for this output.</p>";
    panel.innerHTML = `<p>${escapeHtml(answer.method.name)} of ${escapeHtml(answer.model.name)} v${answer.model.version}: ${escapeHtml(what)}
      (value ${answer.explained.value.toFixed(3)}).</p><p class="small muted">Warm colours: evidence for
      that output; none outside the region the model saw.</p>${empty}`;
  } catch (error) {
    if (!current()) return;
    canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
    panel.textContent = problemText(error, KEY_HINT);
  }
}

function jet(t) {
  const r = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 3)));
  const g = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 2)));
  const b = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 1)));
  return [r * 255, g * 255, b * 255];
}

/** The grey map in jet colours on the heatmap canvas; returns how many pixels carry evidence. */
function paintHeatmap(picture, heatmap) {
  const canvas = $("heatmap");
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
  const context = canvas.getContext("2d");
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
  const current = takeScreen("No image yet.");
  document.body.classList.add("study-shown"); // the views take the results' column
  $("drop").hidden = true;
  say($("status"), `Analysing study ${uid} ...`);
  document.body.dataset.state = "busy";
  const refs = `classifier=${encodeURIComponent(modelRef("classify"))}&detector=${encodeURIComponent(modelRef("detect"))}`;
  let study;
  try {
    study = await api(`/v1/studies/${encodeURIComponent(uid)}/analyse?${refs}`, { method: "POST" });
  } catch (error) {
    if (current()) finish(`Cannot analyse study ${uid}: ${problemText(error, KEY_HINT)}`, "error");
    return;
  }
  if (!current()) return;
  const hung = hang(study.images);
  const panel = $("study");
  panel.innerHTML = studyHtml(study, hung);
  panel.hidden = false;
  const answers = study.images.flatMap((image) => [image.classification, image.detection]);
  showBanners(answers, "a view of this study looks");
  const articles = [...panel.querySelectorAll("article.view")];
  hung.forEach((image, i) => drawBoxes(articles[i].querySelector("svg"), image.detection.detections, image.detection.image));
  say($("status"), `Study ${uid}: ${study.images.length} images analysed, ${study.skipped.length} skipped; loading the views ...`);
  const renders = await Promise.allSettled(hung.map((image) => api(
    `/v1/studies/${encodeURIComponent(uid)}/instances/${encodeURIComponent(image.sop_instance_uid)}/render?max_side=${VIEW_MAX_SIDE}`)));
  if (!current()) return;
  renders.forEach((settled, i) => showView(articles[i], settled));
  drawImages();
  const failed = renders.filter((s) => s.status === "rejected").length;
  finish(`Study ${uid}: ${study.images.length} images analysed, ${study.skipped.length} skipped${failed ? `; ${failed} view(s) could not be shown` : ""}.`, "done");
}

/** The study's images in the usual hanging order; any other view after the four. */
function hang(images) {
  const rank = (image) => {
    const at = HANGING.indexOf(`${image.laterality}${image.view}`);
    return at < 0 ? HANGING.length : at;
  };
  return [...images].sort((a, b) => rank(a) - rank(b));
}

function showView(article, settled) {
  if (settled.status === "rejected") {
    article.querySelector(".view-image").hidden = true;
    article.querySelector(".view-problem").textContent = `Cannot show this view: ${problemText(settled.reason, KEY_HINT)}`;
    return;
  }
  const render = settled.value;
  const canvas = article.querySelector("canvas");
  canvas.width = render.width;
  canvas.height = render.height;
  state.views.push({ canvas, values: decodeValues(render), width: render.width, height: render.height });
}

function studyHtml(study, hung) {
  const yesNo = (value) => (value === null ? "no threshold" : value ? "<strong>abnormal</strong>" : "not abnormal");
  const breasts = study.breasts.map((b) => `<tr><th scope="row">${escapeHtml(b.laterality)}</th>
    <td>${yesNo(b.abnormal)} (score ${b.abnormal_score.toFixed(3)})</td><td>${escapeHtml(b.worst_label)}</td>
    <td>${percent(b.malignant_probability)}</td><td>${b.masses}</td>
    <td>${b.highest_mass_malignancy === null ? "-" : b.highest_mass_malignancy.toFixed(3)}</td>
    <td>${b.out_of_distribution ? "<strong>flagged</strong>" : "no"}</td></tr>`).join("");
  const views = hung.map((image) => {
    const c = image.classification;
    const ood = c.ood?.flagged || image.detection.ood?.flagged;
    const name = `${escapeHtml(image.laterality)} ${escapeHtml(image.view)}`;
    const { rows, columns } = image.detection.image;
    return `<article class="view${ood ? " flagged" : ""}" data-sop="${escapeHtml(image.sop_instance_uid)}"><h3>${name}</h3>
      <div class="view-image" style="--aspect: ${columns / rows}">
        <canvas aria-label="${name} mammogram"></canvas>
        <svg class="boxes" aria-label="${name} detections" preserveAspectRatio="none"></svg>
      </div>
      <p class="view-problem" role="status"></p>
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
  const models = [study.classifier, study.detector].map((m) => `${escapeHtml(m.name)} v${m.version}`).join(", ");
  return `<h2>Study ${escapeHtml(study.study_instance_uid)}</h2>${exam}
    <div class="views">${views}</div>
    <table><thead><tr><th scope="col">breast</th><th scope="col">decision</th><th scope="col">worst label</th>
    <th scope="col">malignant</th><th scope="col">masses</th><th scope="col">highest mass malignancy</th>
    <th scope="col">out of distribution</th></tr></thead><tbody>${breasts}</tbody></table>
    ${skipped ? `<h3>Skipped</h3><ul>${skipped}</ul>` : ""}
    <p class="small muted">Models: ${models}. Boxes at the detector's operating point.</p>`;
}
