// How an uploader on its own (a host app's page, no muxd card list beside it) follows the videos
// it uploaded until Mux is done with them: muxd's live stream (`/api/live`, server-sent events,
// with the page's muxd session cookie), and while that stream is down, a poll of each followed
// asset (`GET /api/creative-assets/{id}`, which also works with the uploader's bearer token).
// An asset is followed until it reaches a final status, then let go; with none left, the stream
// is closed.

/** Statuses after which an asset changes no more on its own. */
export const FINAL = ["READY", "ERROR", "CANCELLED", "TIMED_OUT", "DELETED"];
const POLL_MS = 2000;
const POLL_FAILING_MS = 5000;

/** The wait before reconnect number `attempt` (1, 2, 4, 8 … 15 s). */
export function reconnectDelay(attempt) {
  return Math.min(15000, 1000 * 2 ** Math.max(0, attempt - 1));
}

export class Follower {
  /** `host` is the uploader: its `apiBase` and `api(path)`. */
  constructor(host) {
    this.host = host;
    this.watched = new Map(); // asset id → onAsset(asset)
    this.source = null;
    this.attempt = 0;
    this.pollTimer = null;
    this.reconnectTimer = null;
  }

  /** Calls `onAsset(view)` with each news of asset `id` until it is final. */
  watch(id, onAsset) {
    this.watched.set(id, onAsset);
    if (!this.source && !this.reconnectTimer) this.connect();
    else this.check(id);
  }

  deliver(asset) {
    const onAsset = this.watched.get(asset.id);
    if (!onAsset) return;
    if (FINAL.includes(asset.status)) this.watched.delete(asset.id);
    onAsset(asset);
    if (!this.watched.size) this.stop();
  }

  connect() {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (!this.watched.size || typeof EventSource === "undefined") return this.startPolling();
    const source = (this.source = new EventSource(`${this.host.apiBase}/api/live`, { withCredentials: true }));
    source.addEventListener("ready", () => {
      this.attempt = 0;
      this.stopPolling();
      // What changed before the stream opened is not in it: ask once.
      for (const id of [...this.watched.keys()]) this.check(id);
    });
    source.addEventListener("asset", e => this.deliver(JSON.parse(e.data)));
    source.onerror = () => {
      source.close();
      if (this.source === source) this.source = null;
      if (!this.watched.size) return;
      this.attempt += 1;
      this.startPolling();
      this.reconnectTimer = setTimeout(() => this.connect(), reconnectDelay(this.attempt));
    };
  }

  /** Reads asset `id` once; false when muxd could not be asked. */
  async check(id) {
    try {
      this.deliver(await this.host.api(`/api/creative-assets/${encodeURIComponent(id)}`));
      return true;
    } catch (error) {
      if (error.status === 404) this.deliver({ id, status: "DELETED" });
      return error.status === 404;
    }
  }

  startPolling() {
    if (this.pollTimer) return;
    const poll = async () => {
      let healthy = true;
      for (const id of [...this.watched.keys()]) healthy = (await this.check(id)) && healthy;
      if (!this.pollTimer) return; // stopped meanwhile
      this.pollTimer = setTimeout(poll, healthy ? POLL_MS : POLL_FAILING_MS);
    };
    this.pollTimer = setTimeout(poll, 0);
  }

  stopPolling() {
    clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  /** Closes the stream and stops polling (nothing is followed any more). */
  stop() {
    this.stopPolling();
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.source?.close();
    this.source = null;
  }
}

/** What an uploader's own item says of its asset once the file is sent, or null while it sends. */
export function assetWords(asset) {
  switch (asset?.status) {
    case "MUX_PROCESSING": {
      // Mux's progress when the view carries it (a number, or Mux's `{state, progress}`).
      const value = typeof asset.progress === "object" ? asset.progress?.progress : asset.progress;
      return Number.isFinite(value) && value >= 0 ? `Processing ${Math.min(100, Math.round(value))} %` : "Processing";
    }
    case "READY": return "Ready";
    case "ERROR": return `Error: ${asset.error?.message || "Mux could not process this file"}`;
    case "CANCELLED": return "Cancelled";
    case "TIMED_OUT": return "Timed out: Mux never received the whole file";
    case "DELETED": return "Deleted";
    default: return null;
  }
}
