// One asset card of the content page: built once per asset id and then updated in place (a
// playing video is never replaced), from the file being sent (the uploader's panel, handed over
// to the card) through processing to the player or the error in words; with inline rename,
// replace, download, captions (content-captions.js), and the delete confirmation dialog.

import { api } from "./content-api.js";
import { el } from "./dom.js";
import { captionsPanel, syncTracks } from "./content-captions.js";

/** What the badge says of an upload this page's uploader sends (`{state, percent}`). */
const UPLOAD_WORDS = {
  queued: "Waiting to upload", paused: "Upload paused", offline: "Upload waiting for the network",
  error: "Upload failed", done: "Processing", cancelled: "Upload cancelled",
  resumable: "Upload interrupted: pick the file again",
};

/**
 * The badge words of an asset; `upload` is what this page's uploader last said of it
 * (`{state, percent}`, from its events), if it is sending it.
 */
export function statusWords(asset, upload) {
  switch (asset.status) {
    case "AWAITING_UPLOAD":
      if (!upload) return "Awaiting upload";
      return UPLOAD_WORDS[upload.state] || `Uploading ${upload.percent ?? 0} %`;
    case "MUX_PROCESSING": {
      if (asset.stuck) return "Processing (taking longer than usual)";
      const percent = processingPercent(asset);
      return percent === null ? "Processing" : `Processing ${percent} %`;
    }
    case "READY": return "Ready";
    case "ERROR": return `Error: ${asset.error?.message || "Mux could not process this file"}`;
    case "CANCELLED": return "Cancelled";
    case "TIMED_OUT": return "Timed out";
    default: return asset.status;
  }
}

/**
 * Mux's processing progress (0-100) when the view carries it (`progress`: a number, or Mux's
 * `{state, progress}`), else null.
 */
export function processingPercent(asset) {
  const value = typeof asset.progress === "object" ? asset.progress?.progress : asset.progress;
  return Number.isFinite(value) && value >= 0 ? Math.min(100, Math.round(value)) : null;
}

/** "1080p · plus": the resolution tier and video quality the asset was made with, if known. */
export function qualityWords(asset) {
  return [asset.maxResolutionTier, asset.videoQuality].filter(Boolean).join(" · ");
}

/**
 * What the card says of a replacement of its video, or "" when there is none: `replacement` is
 * the view's (`{status, error?}` or null), `upload` what this page's uploader says of the new
 * file while it sends it (`{state, percent}`).
 */
export function replacementWords(replacement, upload) {
  if (upload && upload.state !== "done" && upload.state !== "cancelled") {
    const words = UPLOAD_WORDS[upload.state];
    return words && upload.state !== "queued" ? `Replacing: ${words.toLowerCase()}` : `Replacing: ${upload.percent ?? 0} %`;
  }
  switch (replacement?.status) {
    case "uploading": return "Replacing: the new video is being uploaded";
    case "processing": return "Processing the new video";
    case "error": return `The new video could not be used: ${replacement.error?.message || "Mux could not process it"}. The current video stays; replace it again to try another file.`;
    default: return upload?.state === "done" ? "Processing the new video" : "";
  }
}

/** The READY card's download offer: `{href}` for a link, `{why}` for why there is none, or null. */
export function downloadOffer(asset) {
  if (asset.status !== "READY") return null;
  if (asset.downloadUrl) return { href: asset.downloadUrl };
  return asset.downloadUnavailable ? { why: asset.downloadUnavailable } : null;
}

/** "1:05 · 1080p · 16:9" from what Mux reported. */
export function mediaFacts(asset) {
  const facts = [];
  if (asset.duration) {
    const s = Math.round(asset.duration);
    facts.push(`${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`);
  }
  if (asset.resolutionTier) facts.push(asset.resolutionTier);
  if (asset.aspectRatio) facts.push(asset.aspectRatio);
  return facts.join(" · ");
}

function button(label, act, attrs = {}) {
  const b = el("button", { type: "button", ...attrs }, label);
  b.addEventListener("click", act);
  return b;
}

let unique = 0;

/**
 * A card for `asset`: `{node, update(asset, upload), setTransfer(panel)}`. `actions` has
 * `confirmDelete(asset, opener)`, `uploadAgain(asset)` (may be null) and `replace(asset, file)`.
 */
export function createCard(asset, actions) {
  const id = ++unique;
  const parts = {
    name: el("h3", { class: "name", id: `asset-name-${id}` }),
    badge: el("span", { class: "badge" }),
    transfer: el("div", { class: "transfer", hidden: "" }),
    replacing: el("p", { class: "replacing", hidden: "" }),
    media: el("div", { class: "media" }),
    facts: el("p", { class: "facts" }),
    quality: el("p", { class: "quality", hidden: "" }),
    noDownload: el("p", { class: "hint no-download", hidden: "" }),
    warnings: el("ul", { class: "warnings", "aria-label": "Mux's warnings about the file", hidden: "" }),
    error: el("p", { class: "error", role: "alert", hidden: "" }),
  };
  const input = el("input", { type: "text", id: `rename-${id}`, required: "", maxlength: "500", autocomplete: "off" });
  const label = el("label", { for: `rename-${id}` }, "New name");
  const form = el("form", { class: "rename", hidden: "" }, label, input,
    el("p", { class: "hint" }, "Enter saves, Escape cancels."));
  const rename = button("Rename", () => startRename(), { "aria-describedby": `asset-name-${id}` });
  const remove = button("Delete", () => actions.confirmDelete(current, remove), { "aria-describedby": `asset-name-${id}` });
  const again = button("Upload again", () => actions.uploadAgain?.(current), { "aria-describedby": `asset-name-${id}` });
  const picker = el("input", { type: "file", accept: "video/*,audio/*", hidden: "", tabindex: "-1", "aria-hidden": "true" });
  picker.addEventListener("change", () => {
    const [file] = picker.files;
    picker.value = "";
    if (file) actions.replace?.(current, file);
  });
  const replace = button("Replace video", () => picker.click(), { "aria-describedby": `asset-name-${id}` });
  const download = el("a", { class: "download", download: "", hidden: "", "aria-describedby": `asset-name-${id}` }, "Download");
  const captions = captionsPanel({
    el, idSuffix: id, say: message => say(message),
    send: (a, language, name, file, type) => api(
      `/api/creative-assets/${a.id}/captions/${encodeURIComponent(language)}${name ? `?name=${encodeURIComponent(name)}` : ""}`,
      { method: "PUT", body: file, headers: { "Content-Type": type } }),
    remove: (a, language) => api(`/api/creative-assets/${a.id}/captions/${encodeURIComponent(language)}`, { method: "DELETE" }),
  });
  const node = el("article", { class: "card", "data-asset": asset.id, "aria-labelledby": `asset-name-${id}` },
    el("div", { class: "card-head" }, parts.name, parts.badge),
    form, parts.transfer, parts.replacing, parts.media, parts.facts, parts.quality, parts.warnings,
    parts.noDownload, parts.error,
    el("div", { class: "actions" }, rename, remove, again, replace, download, picker), captions.node);
  let current = asset;

  const say = message => { parts.error.textContent = message; parts.error.hidden = !message; };
  function startRename() {
    input.value = current.name;
    label.textContent = `New name for “${current.name}”`;
    form.hidden = false;
    parts.name.hidden = true;
    input.focus();
    input.select();
  }
  function endRename() {
    form.hidden = true;
    parts.name.hidden = false;
    rename.focus();
  }
  input.addEventListener("keydown", e => { if (e.key === "Escape") { e.preventDefault(); say(""); endRename(); } });
  form.addEventListener("submit", async e => {
    e.preventDefault();
    const name = input.value.trim();
    if (!name) return say("A name cannot be empty.");
    if (name === current.name) return endRename();
    input.disabled = true;
    try {
      update(await api(`/api/creative-assets/${current.id}`, { method: "PATCH", body: JSON.stringify({ name }) }));
      say("");
      endRename();
    } catch (error) {
      say(`Could not rename: ${error.message}`);
    } finally {
      input.disabled = false;
    }
  });

  function update(asset, upload) {
    current = asset;
    node.dataset.status = asset.status;
    parts.name.textContent = asset.name;
    parts.badge.textContent = statusWords(asset, upload);
    const failed = asset.status === "AWAITING_UPLOAD" && upload?.state === "error";
    parts.badge.dataset.tone = failed ? "bad"
      : { READY: "good", ERROR: "bad", TIMED_OUT: "bad", CANCELLED: "bad" }[asset.status] || "busy";
    parts.facts.textContent = mediaFacts(asset);
    parts.facts.hidden = !parts.facts.textContent;
    const warnings = asset.warnings || [];
    parts.warnings.replaceChildren(...warnings.map(text => el("li", {}, text)));
    parts.warnings.hidden = warnings.length === 0;
    again.hidden = !actions.uploadAgain || !["ERROR", "TIMED_OUT", "CANCELLED"].includes(asset.status);
    parts.quality.textContent = qualityWords(asset);
    parts.quality.hidden = !parts.quality.textContent;
    const replacing = replacementWords(asset.replacement, upload?.replacing ? upload : null);
    parts.replacing.textContent = replacing;
    parts.replacing.hidden = !replacing;
    parts.replacing.dataset.tone = asset.replacement?.status === "error" ? "bad" : "busy";
    const busy = Boolean(upload?.replacing) || ["uploading", "processing"].includes(asset.replacement?.status);
    replace.hidden = !actions.replace || asset.status !== "READY" || busy;
    const offer = downloadOffer(asset);
    download.hidden = !offer?.href;
    if (offer?.href) download.href = offer.href;
    else download.removeAttribute("href");
    parts.noDownload.textContent = offer?.why || "";
    parts.noDownload.hidden = !offer?.why;
    showPlayer(parts.media, asset);
    captions.update(asset);
  }

  /**
   * Shows the uploader's panel of this video's file while it is sent (null: none); the file's
   * name shows only for a replacement (an upload's card is already named after it).
   */
  function setTransfer(panel, replacing = false) {
    if (panel) parts.transfer.replaceChildren(panel);
    else parts.transfer.replaceChildren();
    parts.transfer.hidden = !panel;
    parts.transfer.dataset.replacing = replacing;
  }
  /** What to focus when the card's panel loses its last button: the card's first action. */
  const firstAction = () => node.querySelector(".actions button:not([hidden])");
  update(asset);
  return { node, update, setTransfer, firstAction, get asset() { return current; }, say };
}

/** Puts a player, with the asset's still as its poster, in `media` for a ready asset: its MP4 in
 * a `<video>` when it has one, else Mux Player (HLS) when the page loads it, else a `<video>` of
 * the HLS URL (the emulator's, under `muxd dev`). Leaves a playing video alone, and one whose
 * media is the same (a signed asset's URLs carry a new token in each view, so they are compared
 * without it). */
function showPlayer(media, asset) {
  const ready = asset.status === "READY";
  const muxPlayer = ready && !asset.mp4Url && asset.playbackId
    && document.getElementById("influencers")?.dataset.player === "mux-player";
  const src = ready ? asset.mp4Url || asset.playbackUrl : null;
  const player = media.querySelector("video, mux-player");
  if (player?.localName === "video" && ready) syncTracks(player, asset, el);
  if (player && !player.paused) return;
  if (!src) return media.replaceChildren();
  const bare = url => (url || "").split("?")[0];
  if (player && bare(player.getAttribute("src") || player.dataset.src) === bare(src)) return;
  if (muxPlayer) return media.replaceChildren(muxPlayerFor(asset, src));
  // Captions come from the stream host: the video is fetched with CORS so its <track>s load.
  const attrs = {
    controls: "", preload: "metadata", playsinline: "", src, "aria-label": `Video: ${asset.name}`,
    crossorigin: "anonymous",
  };
  if (asset.thumbnailUrl) attrs.poster = asset.thumbnailUrl;
  const video = el("video", attrs);
  syncTracks(video, asset, el);
  media.replaceChildren(video);
}

/** `<mux-player>` for `asset` (its HLS at `src`), with its tokens when its playback id is signed. */
function muxPlayerFor(asset, src) {
  const token = url => (url || "").split("?token=")[1];
  const attrs = {
    "playback-id": asset.playbackId, "stream-type": "on-demand", "metadata-video-title": asset.name,
    "aria-label": `Video: ${asset.name}`, "data-src": src,
  };
  for (const [name, url] of [["playback-token", src], ["thumbnail-token", asset.thumbnailUrl],
    ["storyboard-token", asset.storyboardUrl]]) {
    if (token(url)) attrs[name] = token(url);
  }
  return el("mux-player", attrs);
}

/** The delete dialog of the page: asks, deletes, says what went wrong. */
export function deleteDialog(dialog, onDeleted) {
  const text = dialog.querySelector("[data-text]");
  const error = dialog.querySelector("[data-error]");
  const confirm = dialog.querySelector("[data-confirm]");
  let target = null;
  let opener = null;
  confirm.addEventListener("click", async e => {
    e.preventDefault();
    confirm.disabled = true;
    try {
      await api(`/api/creative-assets/${target.id}`, { method: "DELETE" });
      dialog.close("deleted");
      onDeleted(target);
    } catch (err) {
      error.textContent = `Could not delete: ${err.message}`;
      error.hidden = false;
    } finally {
      confirm.disabled = false;
    }
  });
  dialog.addEventListener("close", () => { if (opener?.isConnected) opener.focus(); });
  return (asset, from) => {
    target = asset;
    opener = from;
    text.textContent = `“${asset.name}” will be deleted here and on Mux. This cannot be undone.`;
    error.hidden = true;
    dialog.showModal();
  };
}
