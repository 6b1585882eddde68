"use strict";
const campaignId = document.getElementById("influencers").dataset.campaign;
const assets = new Map();
const uploadRows = new Map(); // asset id → its progress row, removed once the asset is done
let influencers = [];

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options,
    headers: { "content-type": "application/json", ...(options.headers || {}) } });
  if (!response.ok) {
    let message = response.status + " " + response.statusText;
    try { message = (await response.json()).error.message; } catch (_) {}
    throw new Error(message);
  }
  return response.status === 204 ? null : response.json();
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

function card(asset) {
  const node = el("div", { class: "card", "data-asset": asset.id, "data-status": asset.status });
  node.append(el("div", {}, el("strong", { class: "name" }, asset.name), " ",
    el("span", { class: "status " + asset.status }, asset.status)));
  if (asset.status === "READY" && asset.mp4Url) {
    node.append(el("video", { controls: "", preload: "metadata", src: asset.mp4Url }));
    if (asset.duration) node.append(el("div", {}, asset.duration.toFixed(1) + " s · " + (asset.aspectRatio || "")));
  }
  if (asset.error) node.append(el("div", { class: "error" }, asset.error.message));
  const rename = el("button", { onclick: async () => {
    const name = prompt("New name", asset.name);
    if (name) upsert(await api("/api/creative-assets/" + asset.id, { method: "PATCH", body: JSON.stringify({ name }) }));
  } }, "Rename");
  const remove = el("button", { onclick: async () => {
    if (!confirm("Delete " + asset.name + "?")) return;
    await api("/api/creative-assets/" + asset.id, { method: "DELETE" });
    assets.delete(asset.id); render();
  } }, "Delete");
  node.append(el("div", {}, rename, " ", remove));
  return node;
}

function upsert(asset) {
  if (asset.status === "DELETED") assets.delete(asset.id); else assets.set(asset.id, asset);
  if (!["AWAITING_UPLOAD", "MUX_PROCESSING"].includes(asset.status) && uploadRows.has(asset.id)) {
    uploadRows.get(asset.id).remove();
    uploadRows.delete(asset.id);
  }
  render();
}

function render() {
  const root = document.getElementById("influencers");
  for (const influencer of influencers) {
    const cards = document.getElementById("cards-" + influencer.id);
    cards.replaceChildren(...[...assets.values()]
      .filter(a => a.influencerId === influencer.id)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map(card));
  }
  root.dataset.count = assets.size;
}

function upload(influencer, file, progressRow) {
  const bar = el("progress", { max: "100", value: "0" });
  const label = el("span", {}, file.name + ": creating upload…");
  const row = el("div", { class: "upload" }, label, bar);
  progressRow.append(row);
  api("/api/mux/create-video-upload", { method: "POST", body: JSON.stringify({
      name: file.name, campaignId, influencerId: influencer.id, fileSize: file.size, fileType: file.type }) })
    .then(created => {
      uploadRows.set(created.id, row);
      upsert(created.asset);
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", created.url);
      xhr.upload.onprogress = e => { if (e.lengthComputable) { bar.value = 100 * e.loaded / e.total; label.textContent = file.name + ": " + Math.round(bar.value) + "%"; } };
      xhr.onload = () => { label.textContent = file.name + (xhr.status < 300 ? ": uploaded, processing…" : ": upload failed (" + xhr.status + ")"); };
      xhr.onerror = () => { label.textContent = file.name + ": upload failed (network)"; };
      xhr.send(file);
    })
    .catch(error => { label.textContent = file.name + ": " + error.message; row.classList.add("error"); });
}

function section(influencer) {
  const input = el("input", { type: "file", accept: "video/*,audio/*", multiple: "", "data-influencer": influencer.id });
  const progress = el("div", { class: "uploads" });
  input.addEventListener("change", () => { for (const file of input.files) upload(influencer, file, progress); input.value = ""; });
  return el("section", { class: "influencer", id: "influencer-" + influencer.id },
    el("h2", {}, influencer.name + (influencer.handle ? " " + influencer.handle : "")),
    input, progress, el("div", { class: "cards", id: "cards-" + influencer.id }));
}

async function reload() {
  const list = await api("/api/creative-assets?limit=200&campaignId=" + campaignId);
  assets.clear();
  for (const asset of list.data) assets.set(asset.id, asset);
  render();
}

function connect() {
  const source = new EventSource("/api/live");
  const state = document.getElementById("live-state");
  source.addEventListener("ready", () => { state.textContent = "live"; });
  source.addEventListener("asset", e => upsert(JSON.parse(e.data)));
  source.addEventListener("resync", reload);
  source.onerror = () => { state.textContent = "reconnecting…"; };
}

(async () => {
  try {
    const campaign = await api("/api/campaigns/" + campaignId);
    document.getElementById("campaign-name").textContent = campaign.name;
    influencers = campaign.influencers;
    document.getElementById("influencers").replaceChildren(...influencers.map(section));
    await reload();
    connect();
  } catch (error) {
    document.getElementById("influencers").textContent = "Could not load: " + error.message + " (sign in at /dev/login in muxd dev)";
  }
})();
