// One card per video, and what the card and the uploader's own item say at each step.
// Run: node --test crates/muxd-web/static/tests/
import test from "node:test";
import assert from "node:assert/strict";
import { statusWords, qualityWords, replacementWords, downloadOffer } from "../content-card.js";
import { itemWords, stateNews } from "../uploader-item.js";
import { Follower, assetWords, reconnectDelay, FINAL } from "../uploader-follow.js";

test("a sent file's card says Processing, never Uploaded, until Mux says more", () => {
  assert.equal(statusWords({ status: "AWAITING_UPLOAD" }, { state: "done", percent: 100 }), "Processing");
  assert.equal(itemWords("done", 100, { status: "AWAITING_UPLOAD" }), "Processing");
  assert.equal(itemWords("done", 100, null), "Processing");
  assert.equal(itemWords("uploading", 42, null), "Uploading 42 %");
  assert.equal(itemWords("paused", 42, null), "Paused");
});

test("the uploader's own item ends as Ready or the error in words", () => {
  assert.equal(itemWords("done", 100, { status: "MUX_PROCESSING" }), "Processing");
  assert.equal(itemWords("done", 100, { status: "READY" }), "Ready");
  assert.equal(itemWords("done", 100, { status: "ERROR", error: { message: "No video track" } }), "Error: No video track");
  assert.equal(assetWords({ status: "ERROR" }), "Error: Mux could not process this file");
  assert.equal(assetWords({ status: "AWAITING_UPLOAD" }), null);
  assert.equal(assetWords({ status: "MUX_PROCESSING", progress: { state: "transcoding", progress: 61 } }), "Processing 61 %");
  assert.deepEqual(FINAL, ["READY", "ERROR", "CANCELLED", "TIMED_OUT", "DELETED"]);
});

test("announcements name the file and say what happened", () => {
  assert.equal(stateNews("a.mp4", "paused", ""), "a.mp4: upload paused.");
  assert.equal(stateNews("a.mp4", "error", "The upload server answered 500."), "a.mp4: upload failed. The upload server answered 500.");
  assert.equal(stateNews("a.mp4", "done", ""), "a.mp4 uploaded. Mux is processing it.");
  assert.equal(stateNews("a.mp4", "queued", ""), null, "waiting is not news");
});

test("quality shows as tier · quality, and nothing when the view has neither", () => {
  assert.equal(qualityWords({ maxResolutionTier: "1080p", videoQuality: "plus" }), "1080p · plus");
  assert.equal(qualityWords({ videoQuality: "basic" }), "basic");
  assert.equal(qualityWords({ maxResolutionTier: null, videoQuality: null }), "");
  assert.equal(qualityWords({}), "");
});

test("a READY card offers its download, or says why there is none", () => {
  assert.deepEqual(downloadOffer({ status: "READY", downloadUrl: "https://s/x.mp4?download=a.mp4" }), { href: "https://s/x.mp4?download=a.mp4" });
  assert.deepEqual(downloadOffer({ status: "READY", downloadUrl: null, downloadUnavailable: "No MP4 yet." }), { why: "No MP4 yet." });
  assert.equal(downloadOffer({ status: "READY" }), null, "fields absent: nothing");
  assert.equal(downloadOffer({ status: "MUX_PROCESSING", downloadUrl: "https://s/x.mp4" }), null);
});

test("a replacement says how far it is, and why it failed while the old video stays", () => {
  assert.equal(replacementWords(null, null), "");
  assert.equal(replacementWords(undefined, undefined), "");
  assert.equal(replacementWords({ status: "uploading" }, { state: "uploading", percent: 37 }), "Replacing: 37 %");
  assert.equal(replacementWords(null, { state: "queued", percent: 0 }), "Replacing: 0 %");
  assert.equal(replacementWords({ status: "uploading" }, { state: "paused", percent: 37 }), "Replacing: upload paused");
  assert.equal(replacementWords({ status: "uploading" }, null), "Replacing: the new video is being uploaded");
  assert.equal(replacementWords({ status: "processing" }, null), "Processing the new video");
  assert.equal(replacementWords(null, { state: "done" }), "Processing the new video");
  const failed = replacementWords({ status: "error", error: { type: "invalid_input", message: "No video track" } }, null);
  assert.match(failed, /No video track/);
  assert.match(failed, /current video stays/);
});

test("the follower reconnects after 1, 2, 4 … at most 15 s", () => {
  assert.deepEqual([1, 2, 3, 5, 9].map(reconnectDelay), [1000, 2000, 4000, 15000, 15000]);
});

test("without a live stream the follower polls each asset until it is final, then stops", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const answers = { a: ["MUX_PROCESSING", "READY"], b: ["MUX_PROCESSING", "ERROR"] };
  const asked = [];
  const host = {
    apiBase: "https://muxd.test",
    api: async path => {
      const id = path.split("/").pop();
      asked.push(id);
      if (id === "gone") throw Object.assign(new Error("not found"), { status: 404 });
      return { id, status: answers[id].shift() };
    },
  };
  const follower = new Follower(host); // node has no EventSource: it polls
  const seen = [];
  for (const id of ["a", "b", "gone"]) follower.watch(id, asset => seen.push(`${asset.id}:${asset.status}`));
  const settle = () => new Promise(resolve => setImmediate(resolve));
  t.mock.timers.tick(0);
  for (let i = 0; i < 5; i += 1) await settle();
  assert.deepEqual(seen.sort(), ["a:MUX_PROCESSING", "b:MUX_PROCESSING", "gone:DELETED"]);
  t.mock.timers.tick(2000);
  for (let i = 0; i < 5; i += 1) await settle();
  assert.deepEqual(seen.sort(), ["a:MUX_PROCESSING", "a:READY", "b:ERROR", "b:MUX_PROCESSING", "gone:DELETED"]);
  assert.equal(follower.watched.size, 0);
  assert.equal(follower.pollTimer, null, "nothing left to follow: polling stopped");
  const before = asked.length;
  t.mock.timers.tick(10000);
  await settle();
  assert.equal(asked.length, before, "no more calls once all are final");
});

test("processing shows Mux's progress when the view has it", () => {
  assert.equal(statusWords({ status: "MUX_PROCESSING", progress: 42.4 }), "Processing 42 %");
  assert.equal(statusWords({ status: "MUX_PROCESSING", progress: { state: "transcoding", progress: 7 } }), "Processing 7 %");
  assert.equal(statusWords({ status: "MUX_PROCESSING", progress: { state: "ingesting", progress: -1 } }), "Processing");
  assert.equal(statusWords({ status: "MUX_PROCESSING" }), "Processing");
  assert.equal(statusWords({ status: "MUX_PROCESSING", stuck: true, progress: 50 }), "Processing (taking longer than usual)");
});
