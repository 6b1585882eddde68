// The content and health pages' pure logic. Run: node --test crates/muxd-web/static/tests/
import test from "node:test";
import assert from "node:assert/strict";
import { statusWords, mediaFacts } from "../content-card.js";
import { reconnectDelay } from "../content-live.js";
import { points, WIDTH, HEIGHT } from "../admin-sparkline.js";

test("badges say where an asset is in words", () => {
  const words = (status, extra = {}, upload) => statusWords({ status, ...extra }, upload);
  assert.equal(words("AWAITING_UPLOAD"), "Awaiting upload");
  assert.equal(words("AWAITING_UPLOAD", {}, { percent: 42 }), "Uploading 42 %");
  assert.equal(words("AWAITING_UPLOAD", {}, { state: "uploading", percent: 42 }), "Uploading 42 %");
  assert.equal(words("AWAITING_UPLOAD", {}, { state: "uploading" }), "Uploading 0 %");
  assert.equal(words("AWAITING_UPLOAD", {}, { state: "paused", percent: 42 }), "Upload paused");
  assert.equal(words("AWAITING_UPLOAD", {}, { state: "error", percent: 0 }), "Upload failed");
  assert.equal(words("AWAITING_UPLOAD", {}, { state: "offline" }), "Upload waiting for the network");
  assert.equal(words("MUX_PROCESSING"), "Processing");
  assert.equal(words("MUX_PROCESSING", { stuck: true }), "Processing (taking longer than usual)");
  assert.equal(words("READY"), "Ready");
  assert.equal(words("ERROR", { error: { type: "invalid_input", message: "No video track" } }), "Error: No video track");
  assert.equal(words("CANCELLED"), "Cancelled");
  assert.equal(words("TIMED_OUT"), "Timed out");
});

test("media facts: duration, resolution, aspect", () => {
  assert.equal(mediaFacts({ duration: 65.4, resolutionTier: "1080p", aspectRatio: "16:9" }), "1:05 · 1080p · 16:9");
  assert.equal(mediaFacts({}), "");
});

test("the stream reconnects after 1, 2, 4 … at most 15 s", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 9].map(reconnectDelay), [1000, 2000, 4000, 8000, 15000, 15000]);
});

test("sparklines fill from the right and keep zero at the bottom", () => {
  const line = points([0, 2, 4], 3).split(" ").map(p => p.split(",").map(Number));
  assert.deepEqual(line.map(([x]) => x), [0, WIDTH / 2, WIDTH]);
  assert.equal(line[0][1], HEIGHT - 2);
  assert.equal(line[2][1], 2);
  const partial = points([1], 60, 2).split(",").map(Number);
  assert.equal(partial[0], WIDTH, "one value sits at the right edge");
  assert.equal(partial[1], HEIGHT - 2 - (HEIGHT - 4) / 2, "scaled to the given maximum");
});

test("webhook rate and mean ack time from two /metrics readings", async () => {
  const { metricSum, webhookFigures, webhookRate } = await import("../admin-metrics.js");
  const text = (applied, sum, count) => [
    "# TYPE muxd_webhooks_total counter",
    `muxd_webhooks_total{outcome="applied"} ${applied}`,
    'muxd_webhooks_total{outcome="failed"} 1',
    'muxd_webhooks_rejected_total{reason="bad_signature"} 7',
    `muxd_webhook_ack_seconds_sum ${sum}`,
    `muxd_webhook_ack_seconds_count ${count}`,
  ].join("\n");
  assert.equal(metricSum(text(3, 0, 0), "muxd_webhooks_total"), 4, "labels summed, other names not");
  const rate = webhookRate(webhookFigures(text(13, 0.05, 14)), webhookFigures(text(3, 0.01, 4)));
  assert.deepEqual(rate, { count: 10, ackMs: 4 });
  assert.deepEqual(webhookRate(webhookFigures(text(1, 0, 0)), null), { count: 0, ackMs: 0 });
});
