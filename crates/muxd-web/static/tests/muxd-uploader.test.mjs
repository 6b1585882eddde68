// The uploader's pure logic. Run: node --test crates/muxd-web/static/tests/
import test from "node:test";
import assert from "node:assert/strict";
import {
  KIB, chunkBytes, nextChunk, contentRange, receivedFromRange, offsetAfter308, backoffMs,
  retryable, fingerprint, accepts, problemWith, formatBytes, formatDuration, speed, unreachable,
} from "../muxd-uploader.js";

test("chunk size is KiB in multiples of 256, 8 MiB by default", () => {
  assert.equal(chunkBytes(null), 8192 * KIB);
  assert.equal(chunkBytes("256"), 256 * KIB);
  for (const bad of ["100", "0", "-256", "abc", "256.5"]) assert.throws(() => chunkBytes(bad), /multiple of 256/);
});

test("chunks cover the file in order, the last one shorter", () => {
  const size = 256 * KIB, total = 2.5 * size;
  const chunks = [];
  for (let offset = 0, c; (c = nextChunk(offset, total, size)); offset = c.end + 1) chunks.push(c);
  assert.deepEqual(chunks.map(c => [c.start, c.end]), [[0, size - 1], [size, 2 * size - 1], [2 * size, total - 1]]);
  assert.equal(contentRange(chunks[2], total), `bytes ${2 * size}-${total - 1}/${total}`);
  assert.equal(nextChunk(total, total, size), null);
});

test("Range says how much arrived; a 308 goes on from there, never past the chunk", () => {
  assert.equal(receivedFromRange("bytes=0-262143"), 262144);
  assert.equal(receivedFromRange(null), 0);
  assert.equal(receivedFromRange("bytes=5-9"), 0);
  const chunk = { start: 262144, end: 524287 };
  assert.equal(offsetAfter308(chunk, "bytes=0-524287"), 524288);
  assert.equal(offsetAfter308(chunk, "bytes=0-300000"), 300001, "resend from what arrived");
  assert.equal(offsetAfter308(chunk, null), 524288, "no Range: the chunk counts as arrived");
});

test("backoff grows to 30 s with jitter", () => {
  const mid = () => 0.5;
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(a => backoffMs(a, mid)), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  assert.equal(backoffMs(1, () => 0), 800);
  assert.equal(backoffMs(1, () => 1), 1200);
});

test("retry 408, 502-504 and network errors, nothing else", () => {
  for (const s of [0, 408, 502, 503, 504]) assert.ok(retryable(s), s);
  for (const s of [400, 403, 404, 500]) assert.ok(!retryable(s), s);
});

test("the same file picked again has the same fingerprint", () => {
  const file = { name: "a.mp4", size: 10, type: "video/mp4", lastModified: 5 };
  assert.equal(fingerprint(file), fingerprint({ ...file }));
  assert.notEqual(fingerprint(file), fingerprint({ ...file, lastModified: 6 }));
});

test("type and size checks speak plainly", () => {
  const video = { name: "a.MOV", size: 2_000_000, type: "video/quicktime" };
  assert.ok(accepts("video/*,audio/*", video));
  assert.ok(accepts(".mov", video));
  assert.ok(!accepts("audio/*", video));
  assert.equal(problemWith(video, { accept: "video/*", maxSize: 0 }), null);
  assert.match(problemWith({ name: "x.pdf", size: 5, type: "application/pdf" }, { accept: "video/*,audio/*" }), /not a video or audio file/);
  assert.match(problemWith(video, { accept: "video/*", maxSize: 1_000_000 }), /2\.0 MB; the most allowed is 1\.0 MB/);
  assert.match(problemWith({ ...video, size: 0 }, { accept: "video/*" }), /empty/);
});

test("figures read well", () => {
  assert.equal(formatBytes(512), "512 bytes");
  assert.equal(formatBytes(8_388_608), "8.4 MB");
  assert.equal(formatDuration(42), "42 s");
  assert.equal(formatDuration(125), "2 min 5 s");
  assert.equal(speed([{ t: 0, bytes: 0 }, { t: 1000, bytes: 500 }, { t: 2000, bytes: 1000 }], 2000), 500);
  assert.equal(speed([{ t: 0, bytes: 0 }], 0), 0);
});

test("no answer from muxd on another origin may be its CORS refusal, and says so", () => {
  const here = "https://app.example.com";
  assert.equal(unreachable("https://videos.example.com", here, false), "You are offline, so muxd could not be reached.");
  assert.match(unreachable("https://videos.example.com", here, true),
    /muxd \(https:\/\/videos\.example\.com\) could not be reached: it is down, or it does not accept calls from this page \(https:\/\/app\.example\.com\)/);
  assert.equal(unreachable("https://app.example.com", here, true), "muxd could not be reached.");
});
