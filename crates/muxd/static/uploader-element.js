// The <muxd-uploader> element and its cards: the drop zone and file picker, the checks on picked
// files, one card per upload (state, progress, speed, Pause/Resume/Retry/Cancel/Dismiss, focus
// kept on a card's buttons), the queue (CONCURRENCY at once), offline and online, resuming the
// uploads remembered for its campaign, and calls to muxd's API. muxd-uploader.js defines it.

import { chunkBytes, fingerprint, problemWith, formatBytes, formatDuration, speed, unreachable } from "./uploader-rules.js";
import { pending, files } from "./uploader-storage.js";
import { Upload } from "./uploader-transfer.js";

const STYLE = `
muxd-uploader { display: block; }
muxd-uploader .muxd-drop { position: relative; border: 2px dashed #5b6675; border-radius: 8px; padding: 16px; text-align: center; background: #fff; }
muxd-uploader .muxd-drop.muxd-over { border-color: #0b57d0; background: #eef4ff; }
muxd-uploader .muxd-drop label { font-weight: 600; color: #0b57d0; text-decoration: underline; cursor: pointer; }
muxd-uploader .muxd-drop input { position: absolute; width: 1px; height: 1px; opacity: 0; }
muxd-uploader .muxd-drop input:focus-visible + label { outline: 3px solid #0b57d0; outline-offset: 2px; }
muxd-uploader .muxd-hint { color: #4a5360; font-size: 0.9em; margin: 4px 0 0; }
muxd-uploader .muxd-problems { color: #a4161a; margin: 8px 0 0; }
muxd-uploader ul.muxd-files { list-style: none; padding: 0; margin: 8px 0 0; display: grid; gap: 8px; }
muxd-uploader .muxd-file { border: 1px solid #c8ced6; border-radius: 6px; padding: 8px; background: #fff; overflow-wrap: anywhere; }
muxd-uploader .muxd-file progress { width: 100%; }
muxd-uploader .muxd-file[data-state="error"] { border-color: #a4161a; }
muxd-uploader .muxd-file[data-state="done"] { border-color: #1a7f37; }
muxd-uploader .muxd-line { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; justify-content: space-between; }
muxd-uploader .muxd-figures, muxd-uploader .muxd-message { font-size: 0.9em; color: #3d4652; }
muxd-uploader [data-state="error"] .muxd-message { color: #a4161a; }
muxd-uploader button { font: inherit; padding: 4px 10px; min-height: 32px; }
`;

const STATE_WORDS = {
  queued: "Waiting", uploading: "Uploading", paused: "Paused", offline: "Offline: waiting for the network",
  done: "Uploaded", error: "Failed", cancelled: "Cancelled", resumable: "Pick the same file to resume",
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

let unique = 0;

/** How many files of one uploader send at once; the rest wait as "queued". */
const CONCURRENCY = 2;

/** HTMLElement in a browser; a stand-in elsewhere, so node can import the pure functions. */
const Element = globalThis.HTMLElement ?? class {};

export class MuxdUploader extends Element {
  static observedAttributes = ["accept", "token"];

  constructor() {
    super();
    this.uploads = [];
    this.cards = new Map();
    this._token = null;
    this.onOffline = () => this.uploads.filter(u => u.state === "uploading" || u.state === "queued")
      .forEach(u => u.stop("offline", "Offline: it goes on when the network is back."));
    this.onOnline = () => { this.uploads.filter(u => u.state === "offline").forEach(u => u.set("queued")); this.pump(); };
  }

  get token() { return this._token ?? this.getAttribute("token"); }
  set token(value) { this._token = value || null; }
  get apiBase() { return (this.getAttribute("api-base") || location.origin).replace(/\/+$/, ""); }
  get accept() { return this.getAttribute("accept") || "video/*,audio/*"; }
  get maxSize() { return Number(this.getAttribute("max-size")) || 0; }
  get chunkSize() { return chunkBytes(this.getAttribute("chunk-size")); }

  connectedCallback() {
    if (this.rendered) return;
    this.rendered = true;
    adoptStyle(this.getRootNode());
    const id = `muxd-file-${++unique}`;
    this.input = el("input", { type: "file", id, multiple: "", accept: this.accept });
    this.problemList = el("ul");
    this.problems = el("div", { class: "muxd-problems", role: "alert", hidden: "" }, this.problemList);
    this.list = el("ul", { class: "muxd-files", "aria-label": "Uploads" });
    this.drop = el("div", { class: "muxd-drop" }, this.input,
      el("label", { for: id }, "Choose video files"), " or drop them here",
      el("p", { class: "muxd-hint" }, this.hint()));
    this.append(this.drop, this.problems, this.list);
    this.input.addEventListener("change", () => { this.add([...this.input.files]); this.input.value = ""; });
    this.drop.addEventListener("dragover", e => { e.preventDefault(); this.drop.classList.add("muxd-over"); });
    this.drop.addEventListener("dragleave", () => this.drop.classList.remove("muxd-over"));
    this.drop.addEventListener("drop", e => {
      e.preventDefault();
      this.drop.classList.remove("muxd-over");
      this.add([...e.dataTransfer.files]);
    });
    addEventListener("offline", this.onOffline);
    addEventListener("online", this.onOnline);
    try { this.chunkSize; } catch (error) { this.show([error.message]); }
    this.restore();
  }

  disconnectedCallback() {
    removeEventListener("offline", this.onOffline);
    removeEventListener("online", this.onOnline);
  }

  attributeChangedCallback(name) {
    if (name === "accept" && this.input) this.input.accept = this.accept;
    if (name === "token") this._token = null; // a newly set attribute wins over an older property
  }

  /** Opens the file picker (e.g. for an "Upload again" button). */
  pick() { this.input?.click(); }

  hint() {
    const parts = ["Video or audio"];
    if (this.maxSize) parts.push(`up to ${formatBytes(this.maxSize)} each`);
    return parts.join(", ") + ". Uploads go on after a reload.";
  }

  /** Checks and queues picked files; a file matching a remembered upload resumes it. */
  add(picked) {
    const problems = [];
    for (const file of picked) {
      const waiting = this.uploads.find(u => u.state === "resumable" && u.fingerprint === fingerprint(file));
      if (waiting) { waiting.file = file; waiting.set("queued"); continue; }
      const problem = problemWith(file, { accept: this.accept, maxSize: this.maxSize });
      if (problem) { problems.push(problem); continue; }
      if (!this.getAttribute("campaign")) { problems.push("This uploader has no campaign set."); break; }
      this.track(new Upload(this, {
        name: file.name, size: file.size, type: file.type, lastModified: file.lastModified,
        campaign: this.getAttribute("campaign"), influencer: this.getAttribute("influencer") || null,
        apiBase: this.apiBase, offset: 0,
      }, file));
    }
    this.show(problems);
    this.pump();
  }

  show(problems) {
    this.problemList.replaceChildren(...problems.map(p => el("li", {}, p)));
    this.problems.hidden = !problems.length;
  }

  /** Uploads remembered for this campaign and influencer: small files resume by themselves. */
  async restore() {
    const mine = pending.all().filter(r => r.campaign === this.getAttribute("campaign")
      && (r.influencer || null) === (this.getAttribute("influencer") || null) && r.apiBase === this.apiBase);
    for (const record of mine) {
      const file = await files.get(record.assetId);
      const upload = this.track(new Upload(this, record, file));
      if (!file) upload.set("resumable", `Pick ${record.name} (${formatBytes(record.size)}) again to finish uploading it.`);
    }
    this.pump();
  }

  track(upload) {
    this.uploads.push(upload);
    const card = this.card(upload);
    this.cards.set(upload, card);
    this.list.prepend(card.node);
    this.changed(upload);
    return upload;
  }

  /** Starts queued uploads while fewer than CONCURRENCY run. */
  pump() {
    if (!navigator.onLine) return this.onOffline();
    let running = this.uploads.filter(u => u.run).length;
    for (const upload of this.uploads) {
      if (running >= CONCURRENCY) break;
      if (upload.state === "queued" && upload.file && !upload.run) { running += 1; upload.start(); }
    }
  }

  card(upload) {
    const button = (label, act) => {
      const b = el("button", { type: "button" }, label);
      b.addEventListener("click", act);
      return b;
    };
    const parts = {
      state: el("strong", { class: "muxd-state" }),
      progress: el("progress", { max: "100", value: "0", "aria-label": `Upload of ${upload.record.name}` }),
      figures: el("span", { class: "muxd-figures" }),
      message: el("p", { class: "muxd-message", "aria-live": "polite" }),
      pause: button("Pause", () => upload.pause()),
      resume: button("Resume", () => upload.resume()),
      retry: button("Retry", () => { upload.set(upload.file ? "queued" : "resumable", upload.file ? "" : "Pick the same file again to go on."); this.pump(); }),
      cancel: button("Cancel", () => upload.cancel()),
      dismiss: button("Dismiss", () => this.dismiss(upload)),
    };
    const node = el("li", { class: "muxd-file", "data-file": upload.record.name },
      el("div", { class: "muxd-line" }, el("span", {}, upload.record.name), parts.state),
      parts.progress,
      el("div", { class: "muxd-line" }, parts.figures,
        el("span", { class: "muxd-actions" }, parts.pause, " ", parts.resume, " ", parts.retry, " ", parts.cancel, " ", parts.dismiss)),
      parts.message);
    return { node, ...parts };
  }

  /** Redraws `upload`'s card (in place). */
  changed(upload) {
    const card = this.cards.get(upload);
    if (!card) return;
    const { state, record } = upload;
    card.node.dataset.state = state;
    if (record.assetId) card.node.dataset.asset = record.assetId;
    const percent = record.size ? Math.floor((100 * upload.sent) / record.size) : 0;
    card.progress.value = percent;
    card.state.textContent = state === "uploading" ? `Uploading ${percent} %` : STATE_WORDS[state];
    const rate = speed(upload.samples, performance.now());
    const figures = [`${formatBytes(upload.sent)} of ${formatBytes(record.size)}`];
    if (state === "uploading" && rate > 0) {
      figures.push(`${formatBytes(Math.round(rate))}/s`, `${formatDuration((record.size - upload.sent) / rate)} left`);
    }
    card.figures.textContent = figures.join(" · ");
    card.message.textContent = upload.message;
    const focused = card.node.contains(document.activeElement) ? document.activeElement : null;
    const active = state === "uploading" || state === "queued";
    card.pause.hidden = !(active || state === "offline");
    card.resume.hidden = state !== "paused";
    card.retry.hidden = state !== "error";
    card.cancel.hidden = ["done", "cancelled"].includes(state);
    card.dismiss.hidden = !["done", "cancelled"].includes(state);
    // A focused button that just hid (Pause, Resume, Retry, Cancel) hands the focus to the card's
    // first button still shown (Pause ↔ Resume, Retry → Pause, Cancel or finishing → Dismiss),
    // so it never falls to <body>.
    if (focused?.hidden) (card.node.querySelector(".muxd-actions button:not([hidden])") || this.input).focus();
  }

  /** Removes a finished card, moving focus to the next card (or the file picker). */
  dismiss(upload) {
    const card = this.cards.get(upload);
    const next = card.node.nextElementSibling || card.node.previousElementSibling;
    card.node.remove();
    this.cards.delete(upload);
    this.uploads = this.uploads.filter(u => u !== upload);
    (next?.querySelector("button:not([hidden])") || this.input).focus();
  }

  /** Calls muxd's API; an Error carrying `status` and muxd's message on failure. */
  async api(path, options = {}) {
    const token = this.token;
    const response = await fetch(this.apiBase + path, {
      ...options,
      credentials: token ? "omit" : "include",
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    }).catch(() => { throw Object.assign(new Error(unreachable(this.apiBase)), { status: 0 }); });
    if (!response.ok) {
      let message = `muxd answered ${response.status}.`;
      try { message = (await response.json()).error.message; } catch { /* not JSON */ }
      if (response.status === 401) message = "Sign in first (muxd does not know who you are).";
      throw Object.assign(new Error(message), { status: response.status });
    }
    return response.status === 204 ? null : response.json();
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

/** Styles through a constructed sheet: no inline style, so a strict CSP needs nothing extra. */
function adoptStyle(root) {
  const target = root && "adoptedStyleSheets" in root ? root : document;
  if (!("adoptedStyleSheets" in target) || target.__muxdUploaderStyled) return;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(STYLE);
  target.adoptedStyleSheets = [...target.adoptedStyleSheets, sheet];
  target.__muxdUploaderStyled = true;
}
