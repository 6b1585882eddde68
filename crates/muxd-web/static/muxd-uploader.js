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
// muxd-upload-error; muxd-upload-handover once an upload's asset exists (`detail.claim()` hands
// the item's panel to a page that shows the asset in a card of its own, as muxd's content page
// does); and for items left here, which follow their asset over muxd's live stream until Mux is
// done: muxd-asset-ready and muxd-asset-error (detail: muxd's view of the asset), the item then
// showing the video or the error in words. `replace(assetId, file)` sends a new video for an
// existing asset. Announcements go through one polite live region per page.
// Protocol: UpChunk's (docs/mux-facts.md §3.2): PUT chunks with `Content-Range: bytes a-b/total`; 308
// means "go on" (its `Range: bytes=0-x` says what arrived), 200/201 means done. Pending uploads
// are remembered in localStorage (small files also in IndexedDB) and resumed after a reload, after
// asking the upload URL what it already has (`Content-Range: bytes */total`).
//
// This entry module defines the element; the work is in uploader-rules.js (the protocol's pure
// rules), uploader-storage.js (pending uploads kept in the browser), uploader-transfer.js (one
// upload) and uploader-element.js (the element and its cards), imported relatively so they load
// from muxd's origin too.

import { MuxdUploader } from "./uploader-element.js";

export {
  KIB, DEFAULT_CHUNK_KIB, STORE_FILES_UP_TO, RETRY_STATUSES, MAX_ATTEMPTS,
  chunkBytes, nextChunk, contentRange, receivedFromRange, offsetAfter308, backoffMs, retryable,
  fingerprint, accepts, problemWith, formatBytes, formatDuration, speed, unreachable,
} from "./uploader-rules.js";
export { MuxdUploader };

if (globalThis.customElements && !customElements.get("muxd-uploader")) {
  customElements.define("muxd-uploader", MuxdUploader);
}
