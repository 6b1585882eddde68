// The <muxd-uploader> element: the drop zone and file picker, the checks on picked files, one
// item per upload (uploader-item.js), the queue (CONCURRENCY at once), offline and online,
// resuming the uploads remembered for its campaign, replacing an asset's video, and calls to
// muxd's API. Once muxd has made an upload's asset, the uploader offers its item's panel to the
// page (`muxd-upload-handover`, whose `claim()` takes it: muxd's content page shows it in the
// asset's card); an item nobody claims stays here and follows its asset to READY or ERROR
// (uploader-follow.js), firing `muxd-asset-ready` / `muxd-asset-error`. News is announced
// through the page's one polite live region (uploader-announce.js). muxd-uploader.js defines it.

import { chunkBytes, fingerprint, problemWith, formatBytes, unreachable } from "./uploader-rules.js";
import { pending, files } from "./uploader-storage.js";
import { Upload } from "./uploader-transfer.js";
import { announce } from "./uploader-announce.js";
import { Follower, FINAL } from "./uploader-follow.js";
import { el } from "./dom.js";
import { makeItem, drawItem, stateNews } from "./uploader-item.js";

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
muxd-uploader .muxd-file:has([data-state="error"]), muxd-uploader .muxd-file:has([data-asset-status="ERROR"]) { border-color: #a4161a; }
muxd-uploader .muxd-file:has([data-asset-status="READY"]) { border-color: #1a7f37; }
.muxd-transfer { display: grid; gap: 4px; min-width: 0; overflow-wrap: anywhere; }
.muxd-transfer progress { width: 100%; }
.muxd-transfer .muxd-line { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; justify-content: space-between; }
.muxd-transfer .muxd-figures, .muxd-transfer .muxd-message { font-size: 0.9em; color: #3d4652; margin: 0; }
.muxd-transfer[data-state="error"] .muxd-message, .muxd-transfer[data-asset-status="ERROR"] .muxd-state { color: #a4161a; }
.muxd-transfer button { font: inherit; padding: 4px 10px; min-height: 32px; }
.muxd-transfer .muxd-asset video { width: 100%; max-height: 260px; background: #000; border-radius: 4px; display: block; }
.muxd-visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
`;

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
    this.items = new Map(); // upload → its item
    this.follower = new Follower(this);
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
    if (this.rendered) {
      // Moved in the page: listen again, and go on following what it followed before it left.
      addEventListener("offline", this.onOffline);
      addEventListener("online", this.onOnline);
      if (this.follower.watched.size) this.follower.connect();
      return;
    }
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
    this.follower.stop();
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

  /**
   * Sends `file` as the new video of asset `assetId` (`POST /api/creative-assets/{id}/replace`),
   * with the same transfer, progress and controls as an upload; its panel is offered to the page
   * at once (the asset exists), so the asset's card shows it.
   */
  replace(assetId, file) {
    const problem = problemWith(file, { accept: this.accept, maxSize: this.maxSize });
    if (problem) return this.show([problem]);
    this.show([]);
    const upload = this.track(new Upload(this, {
      name: file.name, size: file.size, type: file.type, lastModified: file.lastModified,
      campaign: this.getAttribute("campaign"), influencer: this.getAttribute("influencer") || null,
      apiBase: this.apiBase, offset: 0, replaces: assetId,
    }, file));
    this.handOver(upload, null);
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
      this.handOver(upload, null);
    }
    this.pump();
  }

  /**
   * Offers `upload`'s panel to the page now that its asset exists (`asset`: muxd's view, when
   * known). A listener that calls `detail.claim(fallback)` takes the panel into its own card
   * (`fallback()`: what to focus when the panel's focused button hides and none is left) and
   * this uploader drops its item; otherwise the item stays and follows the asset here.
   */
  handOver(upload, asset) {
    const item = this.items.get(upload);
    if (!item || item.claimed) return;
    const { size } = upload.record;
    this.emit("muxd-upload-handover", upload.detail({
      asset, state: upload.state, percent: size ? Math.floor((100 * upload.sent) / size) : 0,
      claim: (fallback = () => null) => {
        item.claimed = fallback;
        // A button of the panel that has the focus keeps it once the claimant has placed the
        // panel (it does so while this event is dispatched); moving it would drop the focus.
        const focused = item.panel.contains(document.activeElement) ? document.activeElement : null;
        item.node.remove();
        if (focused) queueMicrotask(() => (focused.isConnected && !focused.hidden ? focused : fallback())?.focus());
        this.changed(upload);
        return item.panel;
      },
    }));
    if (!item.claimed && upload.record.assetId && !upload.record.replaces) {
      this.follower.watch(upload.record.assetId, view => this.assetChanged(upload, view));
    }
  }

  /** News of the asset an unclaimed item follows: shown, announced, and fired when final. */
  assetChanged(upload, asset) {
    const before = upload.asset?.status;
    upload.asset = asset;
    this.changed(upload);
    if (asset.status === before) return;
    const name = upload.record.name;
    if (asset.status === "READY") {
      announce(`${name} is ready.`);
      this.emit("muxd-asset-ready", asset);
    } else if (asset.status === "ERROR") {
      announce(`${name}: Mux could not process it. ${asset.error?.message || ""}`.trim());
      this.emit("muxd-asset-error", asset);
    } else if (FINAL.includes(asset.status)) {
      announce(`${name}: ${asset.status === "DELETED" ? "deleted" : asset.status.toLowerCase()}.`);
    }
  }

  track(upload) {
    this.uploads.push(upload);
    const item = makeItem(upload, {
      pause: () => upload.pause(),
      resume: () => upload.resume(),
      retry: () => { upload.set(upload.file ? "queued" : "resumable", upload.file ? "" : "Pick the same file again to go on."); this.pump(); },
      cancel: () => upload.cancel(),
      dismiss: () => this.dismiss(upload),
    });
    this.items.set(upload, item);
    this.list.prepend(item.node);
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

  /** Redraws `upload`'s item (in place) and announces a new state. */
  changed(upload) {
    const item = this.items.get(upload);
    if (!item) return;
    const focus = drawItem(item, upload);
    if (focus !== false) (focus || this.input).focus();
    if (item.news !== upload.state) {
      item.news = upload.state;
      announce(stateNews(upload.record.name, upload.state, upload.message));
    }
    // A claimed panel's card takes over once the file is sent (or the upload is called off).
    if (item.claimed && ["done", "cancelled"].includes(upload.state)) this.forgetUpload(upload);
  }

  /** Removes a finished item, moving focus to the next item (or the file picker). */
  dismiss(upload) {
    const item = this.items.get(upload);
    const next = item.node.nextElementSibling || item.node.previousElementSibling;
    item.node.remove();
    this.forgetUpload(upload);
    (next?.querySelector("button:not([hidden])") || this.input).focus();
  }

  forgetUpload(upload) {
    this.items.delete(upload);
    this.uploads = this.uploads.filter(u => u !== upload);
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
