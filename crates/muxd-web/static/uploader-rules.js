// The uploader's pure rules, with no DOM, network or storage: UpChunk's protocol (chunk sizes and
// their planning, `Content-Range` of a chunk, what a `Range` answer says arrived, where to go on
// after a 308), retries and their backoff, the fingerprint that recognises a file picked again,
// which files may be uploaded, and the words for sizes, durations, speed and failed answers.
// The node tests (tests/muxd-uploader.test.mjs) import these through muxd-uploader.js.

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
export function refusal(answer) {
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
