// The content page's live updates: the server-sent event stream `/api/live`, resumed from the
// newest change the page has (`?since=` ms), and polling while the stream is down: every 2 s while
// polls succeed, every 5 s while they fail (like the guide's MuxPollingManager), stopped as soon as
// the stream is back.

export const POLL_HEALTHY_MS = 2000;
export const POLL_DEGRADED_MS = 5000;
const RECONNECT_MAX_MS = 15000;

/** The wait before reconnect number `attempt` (1, 2, 4, 8 … 15 s). */
export function reconnectDelay(attempt) {
  return Math.min(RECONNECT_MAX_MS, 1000 * 2 ** Math.max(0, attempt - 1));
}

export class LiveFeed {
  /**
   * `onAsset(asset)` for each change; `resync()` reloads the whole list (on a `resync` event and
   * as the poll); `onState(words, mode)` says how the page is kept up to date.
   */
  constructor({ onAsset, resync, onState }) {
    Object.assign(this, { onAsset, resync, onState });
    this.since = 0;
    this.attempt = 0;
    this.source = null;
    this.pollTimer = null;
    this.reconnectTimer = null;
  }

  /** Remembers a change time (ms) so a reconnect only asks for what came after. */
  saw(ms) {
    if (Number.isFinite(ms) && ms > this.since) this.since = ms;
  }

  connect() {
    clearTimeout(this.reconnectTimer);
    const url = this.since ? `/api/live?since=${this.since}` : "/api/live";
    const source = (this.source = new EventSource(url, { withCredentials: true }));
    source.addEventListener("ready", () => {
      this.attempt = 0;
      this.stopPolling();
      this.onState("Live", "live");
    });
    source.addEventListener("asset", e => {
      this.saw(Number(e.lastEventId));
      this.onAsset(JSON.parse(e.data));
    });
    source.addEventListener("resync", () => this.resync().catch(() => {}));
    // The browser would reconnect with its first ?since=; close and reconnect with the newest.
    source.onerror = () => {
      source.close();
      this.attempt += 1;
      this.onState("Reconnecting… (checking every few seconds meanwhile)", "degraded");
      this.startPolling();
      this.reconnectTimer = setTimeout(() => this.connect(), reconnectDelay(this.attempt));
    };
  }

  startPolling() {
    if (this.pollTimer) return;
    const poll = async () => {
      let healthy = true;
      try { await this.resync(); } catch (error) {
        healthy = false;
        if (error.status === 401) this.onState("Signed out: sign in again to see changes.", "down");
        else if (error.status === 0) this.onState("Offline: cannot reach muxd, retrying…", "down");
        else this.onState(`muxd is having trouble (${error.message}); retrying…`, "down");
      }
      if (!this.pollTimer) return; // stopped meanwhile
      this.pollTimer = setTimeout(poll, healthy ? POLL_HEALTHY_MS : POLL_DEGRADED_MS);
    };
    this.pollTimer = setTimeout(poll, 0);
  }

  stopPolling() {
    clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }
}
