// What a card says of its captions, the <track>s a plain <video> gets, and search's clock.
// Run: node --test crates/muxd-web/static/tests/
import test from "node:test";
import assert from "node:assert/strict";
import { captionWords, captionTracks, captionType, clock } from "../content-captions.js";

test("a caption's state is said in words, with Mux's reason when it failed", () => {
  assert.equal(captionWords({ name: "English (generated)", language: "en", source: "generated", status: "ready" }),
    "English (generated) (en, generated): ready");
  assert.equal(captionWords({ name: "", language: "de", source: "supplied", status: "preparing" }), "de (de): being prepared");
  assert.equal(captionWords({ name: "English", language: "en", source: "generated", status: "skipped" }),
    "English (en, generated): skipped: the video has no speech to caption");
  assert.equal(captionWords({ name: "Deutsch", language: "de", source: "supplied", status: "errored", error: "bad file" }),
    "Deutsch (de): failed (bad file)");
});

test("only ready captions with a file become <track>s", () => {
  const asset = { captions: [
    { id: "t1", language: "en", name: "English", status: "ready", vttUrl: "https://s/p/text/t1.vtt?token=x" },
    { id: "t2", language: "de", name: "Deutsch", status: "preparing", vttUrl: null },
    { id: "t3", language: "fr", name: "", status: "ready", vttUrl: "https://s/p/text/t3.vtt" },
  ] };
  assert.deepEqual(captionTracks(asset), [
    { kind: "captions", src: "https://s/p/text/t1.vtt?token=x", srclang: "en", label: "English", "data-track": "t1" },
    { kind: "captions", src: "https://s/p/text/t3.vtt", srclang: "fr", label: "fr", "data-track": "t3" },
  ]);
  assert.deepEqual(captionTracks({}), []);
});

test("a captions file's type comes from its name, then its type", () => {
  assert.equal(captionType("talk.VTT", ""), "text/vtt");
  assert.equal(captionType("talk.srt", "application/octet-stream"), "application/x-subrip");
  assert.equal(captionType("talk", "text/vtt"), "text/vtt");
  assert.equal(captionType("talk.txt", "text/plain"), null);
});

test("times read as a clock", () => {
  assert.equal(clock(0), "0:00");
  assert.equal(clock(42.9), "0:42");
  assert.equal(clock(725), "12:05");
  assert.equal(clock(3723), "1:02:03");
});
