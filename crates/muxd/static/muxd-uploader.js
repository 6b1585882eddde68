// <muxd-uploader>: uploads files into muxd (and so into Mux), chunk by chunk, resumable.
//
//   <script type="module" src="https://muxd.example.com/static/muxd-uploader.js"></script>
//   <muxd-uploader campaign="c1" influencer="i1" api-base="https://muxd.example.com"></muxd-uploader>
//
// Attributes: campaign, influencer (optional), api-base (default: this page's origin), accept
// (default video/*,audio/*), max-size (bytes), chunk-size (KiB, a multiple of 256; default 8192),
// token (also a property: API calls then send `Authorization: Bearer` and no cookies).
// Events (bubbling, detail has assetId, file name and more): muxd-upload-created,
// muxd-upload-progress, muxd-upload-state (each change of state: queued, uploading, paused,
// offline, done, error, cancelled, resumable; and once the asset is created), muxd-upload-done,
// muxd-upload-error.
// Protocol: UpChunk's (mux-api.md §3.2): PUT chunks with `Content-Range: bytes a-b/total`; 308
// means "go on" (its `Range: bytes=0-x` says what arrived), 200/201 means done. Pending uploads
// are remembered in localStorage (small files also in IndexedDB) and resumed after a reload, after
// asking the upload URL what it already has (`Content-Range: bytes */total`).

// ---- Pure logic (exported for tests) ---------------------------------------------------------

export const KIB = 1024;
export const DEFAULT_CHUNK_KIB = 8192;
/** Files up to this size are kept in IndexedDB, so they resume by themselves after a reload. */
export const STORE_FILES_UP_TO = 8 * 1024 * KIB;
/** Statuses worth another try (UpChunk's retryCodes); 0 is a network error. */
export const RETRY_STATUSES = [0, 408, 502, 503, 504];
export const MAX_ATTEMPTS = 6;

/** Chunk size in bytes from the `chunk-size` attribute (KiB), or an Error in words. */
export function chunkBytes(kib) {
  if (kib === null || kib === undefined || kib === "") return DEFAULT_CHUNK_KIB * KIB;
  const n = Number(kib);
  if (!Number.isInteger(n) || n < 256 || n % 256 !== 0) {
    throw new Error(`chunk-size must be a whole multiple of 256 (KiB), not ${kib}`);
  }
  return n * KIB;
}

/** The next chunk from `offset` of a `total`-byte file: {start, end} (end inclusive), or null. */
export function nextChunk(offset, total, size) {
  if (offset >= total) return null;
  return { start: offset, end: Math.min(offset + size, total) - 1 };
}

/** The `Content-Range` header of a chunk. */
export function contentRange(chunk, total) {
  return `bytes ${chunk.start}-${chunk.end}/${total}`;
}

/** How many bytes a `Range: bytes=0-x` answer says arrived (x + 1); 0 when absent or unreadable. */
export function receivedFromRange(header) {
  const match = /^bytes=0-(\d+)$/.exec((header || "").trim());
  return match ? Number(match[1]) + 1 : 0;
}

/** The offset to go on from after a 308 to `chunk`: what its Range says, else the chunk's end. */
export function offsetAfter308(chunk, rangeHeader) {
  if (!rangeHeader) return chunk.end + 1;
  return Math.min(receivedFromRange(rangeHeader), chunk.end + 1);
}

/** Milliseconds to wait before try number `attempt` (1 = first retry): 1 s, 2 s, 4 s … ≤ 30 s. */
export function backoffMs(attempt, random = Math.random) {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** Whether a failed request (status 0 = network) is worth another try. */
export function retryable(status) {
  return RETRY_STATUSES.includes(status);
}

/** What identifies "the same file" when the user picks it again after a reload. */
export function fingerprint(file) {
  return [file.name, file.size, file.type, file.lastModified].join("|");
}

/** Whether `file` matches an `accept` list ("video/*,audio/*,.mov"). */
export function accepts(accept, file) {
  const patterns = (accept || "").split(",").map(p => p.trim().toLowerCase()).filter(Boolean);
  if (!patterns.length) return true;
  const type = (file.type || "").toLowerCase();
  const name = (file.name || "").toLowerCase();
  return patterns.some(p => p.startsWith(".") ? name.endsWith(p)
    : p.endsWith("/*") ? type.startsWith(p.slice(0, -1)) : type === p);
}

/** Why `file` may not be uploaded, in plain words, or null when it may. */
export function problemWith(file, { accept, maxSize }) {
  if (file.size === 0) return `${file.name} is empty.`;
  if (!accepts(accept, file)) {
    return `${file.name} is not a video or audio file (it is ${file.type || "of unknown type"}).`;
  }
  if (maxSize && file.size > maxSize) {
    return `${file.name} is ${formatBytes(file.size)}; the most allowed is ${formatBytes(maxSize)}.`;
  }
  return null;
}

export function formatBytes(n) {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i += 1; }
  return i === 0 ? `${n} bytes` : `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return "";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Bytes per second over the samples ({t ms, bytes}) of the last `windowMs`. */
export function speed(samples, now, windowMs = 5000) {
  const recent = samples.filter(s => now - s.t <= windowMs);
  if (recent.length < 2) return 0;
  const first = recent[0], last = recent[recent.length - 1];
  return last.t > first.t ? (1000 * (last.bytes - first.bytes)) / (last.t - first.t) : 0;
}

// ---- Remembering pending uploads (localStorage + IndexedDB) -----------------------------------

const PENDING_KEY = "muxd-uploader:pending";

const pending = {
  all() {
    try { return JSON.parse(localStorage.getItem(PENDING_KEY)) || []; } catch { return []; }
  },
  put(record) {
    const rest = pending.all().filter(r => r.assetId !== record.assetId);
    try { localStorage.setItem(PENDING_KEY, JSON.stringify([...rest, record])); } catch { /* full or blocked */ }
  },
  remove(assetId) {
    try {
      localStorage.setItem(PENDING_KEY, JSON.stringify(pending.all().filter(r => r.assetId !== assetId)));
    } catch { /* blocked */ }
  },
};

function idb(mode, act) {
  return new Promise((resolve) => {
    if (!globalThis.indexedDB) return resolve(null);
    const open = indexedDB.open("muxd-uploader", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("files");
    open.onerror = () => resolve(null);
    open.onsuccess = () => {
      const tx = open.result.transaction("files", mode);
      const request = act(tx.objectStore("files"));
      tx.oncomplete = () => { open.result.close(); resolve(request.result ?? null); };
      tx.onerror = tx.onabort = () => { open.result.close(); resolve(null); };
    };
  });
}
const files = {
  put: (id, file) => idb("readwrite", s => s.put(file, id)),
  get: (id) => idb("readonly", s => s.get(id)),
  remove: (id) => idb("readwrite", s => s.delete(id)),
};

// ---- One upload -------------------------------------------------------------------------------

/** A PUT to the upload URL via XHR (fetch cannot report upload progress). */
function put(url, headers, body, onProgress) {
  const xhr = new XMLHttpRequest();
  const done = new Promise((resolve) => {
    xhr.open("PUT", url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    if (onProgress) xhr.upload.onprogress = e => onProgress(e.loaded);
    xhr.onload = () => resolve({ status: xhr.status, range: xhr.getResponseHeader("Range"), text: xhr.responseText });
    xhr.onerror = xhr.ontimeout = () => resolve({ status: 0, range: null, text: "" });
    xhr.onabort = () => resolve({ status: -1, range: null, text: "" });
    xhr.send(body);
  });
  return { xhr, done };
}

const sleep = (ms, signal) => new Promise(resolve => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
});

class Upload {
  constructor(host, record, file) {
    this.host = host;
    this.record = record; // {assetId, url, name, size, type, lastModified, offset, campaign, influencer, apiBase}
    this.file = file;
    this.state = "queued";
    this.sent = record.offset || 0;
    this.samples = [];
    this.message = "";
    this.run = null; // AbortController of the running loop
  }

  get fingerprint() { return fingerprint({ name: this.record.name, size: this.record.size, type: this.record.type, lastModified: this.record.lastModified }); }

  detail(extra = {}) {
    return { assetId: this.record.assetId || null, fileName: this.record.name, size: this.record.size, ...extra };
  }

  set(state, message = "") {
    const changed = state !== this.state;
    this.state = state;
    this.message = message;
    this.host.changed(this);
    if (changed) this.host.emit("muxd-upload-state", this.detail({ state }));
  }

  /** Creates the asset (once), then sends what the upload URL has not got yet. */
  async start() {
    if (this.run) return;
    const run = (this.run = new AbortController());
    try {
      if (!this.record.assetId) await this.create();
      if (run.signal.aborted) return;
      this.set("uploading", "Checking what has arrived…");
      await this.send(run.signal);
    } catch (error) {
      if (!run.signal.aborted) this.fail(error.message);
    } finally {
      if (this.run === run) this.run = null;
      this.host.pump();
    }
  }

  async create() {
    this.set("uploading", "Creating the upload…");
    const created = await this.host.api("/api/mux/create-video-upload", {
      method: "POST",
      body: JSON.stringify({
        name: this.record.name, campaignId: this.record.campaign,
        influencerId: this.record.influencer || undefined,
        fileSize: this.record.size, fileType: this.record.type || "application/octet-stream",
      }),
    });
    Object.assign(this.record, { assetId: created.id, url: created.url, offset: 0 });
    pending.put(this.record);
    if (this.file.size <= STORE_FILES_UP_TO) await files.put(created.id, this.file);
    this.host.emit("muxd-upload-created", this.detail({ uploadId: created.uploadId, asset: created.asset }));
    // The state may have changed while the asset was being created (paused, say): say it again
    // now that it has an id.
    this.host.emit("muxd-upload-state", this.detail({ state: this.state }));
    this.host.changed(this);
  }

  // Asks the upload URL how much it has (`Content-Range: bytes */total`): the offset, or null when complete.
  async ask(signal) {
    const answer = await this.request({ "Content-Range": `bytes */${this.record.size}` }, null, null, signal);
    if (answer.status === 200 || answer.status === 201) return null;
    if (answer.status === 308) return receivedFromRange(answer.range);
    throw Object.assign(new Error(refusal(answer)), { status: answer.status });
  }

  /** A PUT to the upload URL that `signal` aborts. */
  async request(headers, body, onProgress, signal) {
    const { xhr, done } = put(this.record.url, headers, body, onProgress);
    const abort = () => xhr.abort();
    signal.addEventListener("abort", abort, { once: true });
    try { return await done; } finally { signal.removeEventListener("abort", abort); }
  }

  async send(signal) {
    const size = this.host.chunkSize;
    const total = this.record.size;
    let attempt = 0;
    let offset = null; // unknown until asked
    while (!signal.aborted) {
      try {
        if (offset === null) {
          offset = await this.ask(signal);
          if (signal.aborted) return;
          if (offset === null) return this.finish();
          this.progress(offset);
        }
        const chunk = nextChunk(offset, total, size);
        if (!chunk) { offset = null; continue; } // all sent but not confirmed: ask again
        this.set("uploading");
        const answer = await this.request({
          "Content-Type": this.record.type || "application/octet-stream",
          "Content-Range": contentRange(chunk, total),
        }, this.file.slice(chunk.start, chunk.end + 1), loaded => this.progress(chunk.start + loaded), signal);
        if (signal.aborted) return;
        if (answer.status === 200 || answer.status === 201) return this.finish();
        if (answer.status === 308) {
          offset = offsetAfter308(chunk, answer.range);
          this.record.offset = offset;
          pending.put(this.record);
          this.progress(offset);
          attempt = 0;
          continue;
        }
        throw Object.assign(new Error(refusal(answer)), { status: answer.status });
      } catch (error) {
        if (signal.aborted) return;
        if (!retryable(error.status ?? 0) || attempt + 1 >= MAX_ATTEMPTS) throw error;
        attempt += 1;
        offset = null; // ask again before resending, so no byte is sent twice
        const wait = backoffMs(attempt);
        this.set("uploading", `${error.message} Trying again in ${formatDuration(wait / 1000)} (try ${attempt + 1} of ${MAX_ATTEMPTS}).`);
        await sleep(wait, signal);
      }
    }
  }

  progress(sent) {
    this.sent = sent;
    const now = performance.now();
    this.samples.push({ t: now, bytes: sent });
    this.samples = this.samples.filter(s => now - s.t <= 5000);
    this.host.changed(this);
    this.host.emit("muxd-upload-progress", this.detail({
      bytesSent: sent, percent: Math.floor((100 * sent) / this.record.size), bytesPerSecond: speed(this.samples, now),
    }));
  }

  finish() {
    this.sent = this.record.size;
    this.forget();
    this.set("done", "Uploaded. Mux is processing it.");
    this.host.emit("muxd-upload-done", this.detail());
  }

  fail(message) {
    this.set("error", message);
    this.host.emit("muxd-upload-error", this.detail({ message }));
  }

  forget() {
    if (!this.record.assetId) return;
    pending.remove(this.record.assetId);
    files.remove(this.record.assetId);
  }

  /** Stops the running loop (its request is aborted) and moves to `state`. */
  stop(state, message) {
    this.run?.abort();
    this.run = null;
    this.set(state, message);
  }

  pause() { this.stop("paused", "Paused."); this.host.pump(); }
  resume() { if (this.file) { this.set("queued"); this.host.pump(); } }

  async cancel() {
    this.stop("cancelled", "Cancelling…");
    this.forget();
    if (this.record.assetId) {
      try { await this.host.api(`/api/creative-assets/${encodeURIComponent(this.record.assetId)}`, { method: "DELETE" }); } catch (error) {
        if (error.status !== 404) return this.set("cancelled", `Stopped, but the video could not be deleted: ${error.message}`);
      }
    }
    this.set("cancelled", "Cancelled.");
    this.host.pump();
  }
}

/**
 * Why a call to muxd at `apiBase` got no answer, in words: the browser does not tell a network
 * failure from muxd refusing this page's origin (CORS), so a page on another origin hears both.
 */
export function unreachable(apiBase, here = globalThis.location?.origin, online = globalThis.navigator?.onLine) {
  if (online === false) return "You are offline, so muxd could not be reached.";
  let other = false;
  try { other = new URL(apiBase).origin !== here; } catch { /* relative: this origin */ }
  return other
    ? `muxd (${apiBase}) could not be reached: it is down, or it does not accept calls from this page (${here}).`
    : "muxd could not be reached.";
}

/** A failed answer in words (with the server's own message when it sent one). */
function refusal(answer) {
  if (answer.status === 0) return "The connection failed.";
  const what = { 403: "The upload address was refused (it may have expired or been cancelled).", 404: "The upload address no longer exists." }[answer.status]
    || `The upload server answered ${answer.status}.`;
  let said = (answer.text || "").trim();
  try {
    const error = JSON.parse(said).error;
    said = error.message || (error.messages || []).join(" ") || said;
  } catch { /* plain text */ }
  said = said.slice(0, 160);
  return said ? `${what} (${said})` : what;
}

// ---- The element ------------------------------------------------------------------------------

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

if (globalThis.customElements && !customElements.get("muxd-uploader")) {
  customElements.define("muxd-uploader", MuxdUploader);
}
