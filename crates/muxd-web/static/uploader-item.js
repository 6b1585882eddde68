// One upload's item in <muxd-uploader>: the file's name and state, its progress and figures,
// Pause/Resume/Retry/Cancel/Dismiss, the message in words, and (on an uploader alone on a page)
// the asset once Mux is done: its poster and player, or its error. The item is a list entry
// wrapping a panel; a page with its own card list (muxd's content page) takes the panel into the
// asset's card (`claim`), so each video has one card from pick to playable.

import { formatBytes, formatDuration, speed } from "./uploader-rules.js";
import { assetWords } from "./uploader-follow.js";
import { el } from "./dom.js";

export const STATE_WORDS = {
  queued: "Waiting", uploading: "Uploading", paused: "Paused", offline: "Offline: waiting for the network",
  done: "Processing", error: "Failed", cancelled: "Cancelled", resumable: "Pick the same file to resume",
};

/** The words of an upload's state line: the transfer's, then (once sent) the asset's. */
export function itemWords(state, percent, asset) {
  if (state === "uploading") return `Uploading ${percent} %`;
  if (state === "done") return assetWords(asset) || STATE_WORDS.done;
  return STATE_WORDS[state] || state;
}

/** What a screen reader hears when an upload of `name` moves to `state` (null: nothing). */
export function stateNews(name, state, message) {
  switch (state) {
    case "uploading": return `Uploading ${name}.`;
    case "paused": return `${name}: upload paused.`;
    case "offline": return `${name}: offline, the upload goes on when the network is back.`;
    case "error": return `${name}: upload failed. ${message}`.trim();
    case "done": return `${name} uploaded. Mux is processing it.`;
    case "cancelled": return `${name}: upload cancelled.`;
    case "resumable": return message || `${name}: pick the file again to resume.`;
    default: return null;
  }
}

/** An upload's item: `{node (li), panel, …parts}`; `act` has pause/resume/retry/cancel/dismiss. */
export function makeItem(upload, act) {
  const button = (label, handler) => {
    const b = el("button", { type: "button" }, label);
    b.addEventListener("click", handler);
    return b;
  };
  const parts = {
    state: el("strong", { class: "muxd-state" }),
    progress: el("progress", { max: "100", value: "0", "aria-label": `Upload of ${upload.record.name}` }),
    figures: el("span", { class: "muxd-figures" }),
    message: el("p", { class: "muxd-message" }),
    asset: el("div", { class: "muxd-asset", hidden: "" }),
    pause: button("Pause", act.pause),
    resume: button("Resume", act.resume),
    retry: button("Retry", act.retry),
    cancel: button("Cancel", act.cancel),
    dismiss: button("Dismiss", act.dismiss),
  };
  const panel = el("div", { class: "muxd-transfer", "data-file": upload.record.name },
    el("div", { class: "muxd-line" }, el("span", { class: "muxd-name" }, upload.record.name), parts.state),
    parts.progress,
    el("div", { class: "muxd-line" }, parts.figures,
      el("span", { class: "muxd-actions" }, parts.pause, " ", parts.resume, " ", parts.retry, " ", parts.cancel, " ", parts.dismiss)),
    parts.message, parts.asset);
  return { node: el("li", { class: "muxd-file" }, panel), panel, claimed: null, news: null, ...parts };
}

/**
 * Redraws `item` for `upload` in place; returns false, or (when the focused button just hid) the
 * element to focus instead, null when the item has none left. A claimed panel's card decides its own life: no Dismiss there.
 */
export function drawItem(item, upload) {
  const { state, record, asset } = upload;
  const { panel } = item;
  panel.dataset.state = state;
  if (record.assetId) panel.dataset.asset = record.assetId;
  if (asset?.status) panel.dataset.assetStatus = asset.status;
  const percent = record.size ? Math.floor((100 * upload.sent) / record.size) : 0;
  item.progress.value = percent;
  const sent = state === "done";
  item.progress.hidden = sent;
  item.state.textContent = itemWords(state, percent, asset);
  const rate = speed(upload.samples, performance.now());
  const figures = sent ? [] : [`${formatBytes(upload.sent)} of ${formatBytes(record.size)}`];
  if (state === "uploading" && rate > 0) {
    figures.push(`${formatBytes(Math.round(rate))}/s`, `${formatDuration((record.size - upload.sent) / rate)} left`);
  }
  item.figures.textContent = figures.join(" · ");
  // Once Mux has the file, the state line says where the asset is: "Uploaded. Mux is processing
  // it." would contradict a Ready or an Error.
  item.message.textContent = sent && asset && asset.status !== "AWAITING_UPLOAD" ? "" : upload.message;
  showAsset(item, sent ? asset : null);
  const focused = panel.contains(document.activeElement) ? document.activeElement : null;
  const active = state === "uploading" || state === "queued";
  item.pause.hidden = !(active || state === "offline");
  item.resume.hidden = state !== "paused";
  item.retry.hidden = state !== "error";
  item.cancel.hidden = ["done", "cancelled"].includes(state);
  item.dismiss.hidden = Boolean(item.claimed) || !["done", "cancelled"].includes(state);
  // A focused button that just hid (Pause, Resume, Retry, Cancel) hands the focus to the item's
  // first button still shown (Pause ↔ Resume, Retry → Pause, Cancel or finishing → Dismiss, or
  // the claiming card's own first action), so it never falls to <body>.
  if (!focused?.hidden) return false;
  return panel.querySelector(".muxd-actions button:not([hidden])") || item.claimed?.() || null;
}

/** The asset's poster and player when READY (as the content page's card shows it). */
function showAsset(item, asset) {
  const box = item.asset;
  const ready = asset?.status === "READY";
  box.hidden = !ready;
  if (!ready) return box.replaceChildren();
  const src = asset.mp4Url || asset.playbackUrl;
  const shown = box.querySelector("video");
  if (shown && (!shown.paused || shown.getAttribute("src") === src)) return;
  if (!src) return box.replaceChildren();
  const attrs = { controls: "", preload: "none", playsinline: "", src, "aria-label": `Video: ${asset.name}` };
  if (asset.thumbnailUrl) attrs.poster = asset.thumbnailUrl;
  box.replaceChildren(el("video", attrs));
}
