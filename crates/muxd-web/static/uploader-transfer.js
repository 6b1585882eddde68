// One upload's transfer and state machine: create the asset once, ask the upload URL what it has,
// PUT the rest chunk by chunk (XHR, for progress), retry what is worth retrying after a backoff,
// and move between queued, uploading, paused, offline, done, error, cancelled and resumable.
// Its host (the <muxd-uploader> element) is told of each change and runs the queue.

import {
  STORE_FILES_UP_TO, MAX_ATTEMPTS, nextChunk, contentRange, receivedFromRange, offsetAfter308,
  backoffMs, retryable, fingerprint, formatDuration, speed, refusal,
} from "./uploader-rules.js";
import { pending, files } from "./uploader-storage.js";

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

export class Upload {
  constructor(host, record, file) {
    this.host = host;
    // {assetId, url, name, size, type, lastModified, offset, campaign, influencer, apiBase,
    // replaces: the asset id whose video this file replaces, if it does}
    this.record = record;
    this.file = file;
    this.state = "queued";
    this.sent = record.offset || 0;
    this.samples = [];
    this.message = "";
    this.run = null; // AbortController of the running loop
    this.asset = null; // muxd's latest view of the asset, when known
  }

  get fingerprint() { return fingerprint({ name: this.record.name, size: this.record.size, type: this.record.type, lastModified: this.record.lastModified }); }

  detail(extra = {}) {
    return {
      assetId: this.record.assetId || null, replaces: this.record.replaces || null,
      fileName: this.record.name, size: this.record.size, ...extra,
    };
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
    const replaces = this.record.replaces;
    this.set("uploading", replaces ? "Asking for an address for the new video…" : "Creating the upload…");
    const fileType = this.record.type || "application/octet-stream";
    const created = replaces
      ? await this.host.api(`/api/creative-assets/${encodeURIComponent(replaces)}/replace`, {
        method: "POST",
        body: JSON.stringify({ fileSize: this.record.size, fileType, fileName: this.record.name }),
      })
      : await this.host.api("/api/mux/create-video-upload", {
        method: "POST",
        body: JSON.stringify({
          name: this.record.name, campaignId: this.record.campaign,
          influencerId: this.record.influencer || undefined, fileSize: this.record.size, fileType,
        }),
      });
    Object.assign(this.record, { assetId: created.id, url: created.url, offset: 0 });
    pending.put(this.record);
    if (this.file.size <= STORE_FILES_UP_TO) await files.put(created.id, this.file);
    this.asset = created.asset;
    this.host.emit("muxd-upload-created", this.detail({ uploadId: created.uploadId, asset: created.asset }));
    // The state may have changed while the asset was being created (paused, say): say it again
    // now that it has an id.
    this.host.emit("muxd-upload-state", this.detail({ state: this.state }));
    this.host.changed(this);
    this.host.handOver(this, created.asset);
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

  /** Stops for good; an upload's asset is deleted, a replacement's asset keeps its video. */
  async cancel() {
    this.stop("cancelled", "Cancelling…");
    this.forget();
    if (this.record.replaces) return this.set("cancelled", "Stopped: the current video stays.");
    if (this.record.assetId) {
      try { await this.host.api(`/api/creative-assets/${encodeURIComponent(this.record.assetId)}`, { method: "DELETE" }); } catch (error) {
        if (error.status !== 404) return this.set("cancelled", `Stopped, but the video could not be deleted: ${error.message}`);
      }
    }
    this.set("cancelled", "Cancelled.");
    this.host.pump();
  }
}
