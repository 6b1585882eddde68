// A card's captions: the asset's text tracks with their state in words, a form that adds a
// captions file (WebVTT or SRT) for a language or replaces that language's captions, Delete per
// language, and the <track> elements a plain <video> plays them with. The pure parts are
// exported for node's test runner (static/tests/captions.test.mjs).

/** What a caption's state means for its owner. */
const STATE_WORDS = {
  preparing: "being prepared",
  ready: "ready",
  skipped: "skipped: the video has no speech to caption",
  errored: "failed",
};

/** "English (en): ready", with Mux's reason when it failed. */
export function captionWords(caption) {
  const state = STATE_WORDS[caption.status] || caption.status;
  const source = caption.source === "generated" ? ", generated" : "";
  const why = caption.status === "errored" && caption.error ? ` (${caption.error})` : "";
  return `${caption.name || caption.language} (${caption.language}${source}): ${state}${why}`;
}

/** The `<track>` attributes of the asset's ready captions, for a plain `<video>`. */
export function captionTracks(asset) {
  return (asset.captions || [])
    .filter(c => c.status === "ready" && c.vttUrl)
    .map(c => ({ kind: "captions", src: c.vttUrl, srclang: c.language, label: c.name || c.language, "data-track": c.id }));
}

/** The Content-Type muxd takes for a captions file, from its name (then its type), or null. */
export function captionType(name, type) {
  const lower = (name || "").toLowerCase();
  if (lower.endsWith(".vtt") || type === "text/vtt") return "text/vtt";
  if (lower.endsWith(".srt") || type === "application/x-subrip") return "application/x-subrip";
  return null;
}

/** "0:42", "12:05", "1:02:03" for a time in seconds. */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const mm = String(Math.floor(s / 60) % 60);
  const ss = String(s % 60).padStart(2, "0");
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm.padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

/** Makes `video`'s <track> children match the asset's ready captions (kept by track id). */
export function syncTracks(video, asset, el) {
  const wanted = captionTracks(asset);
  const ids = new Set(wanted.map(t => t["data-track"]));
  for (const track of video.querySelectorAll("track")) if (!ids.has(track.dataset.track)) track.remove();
  for (const attrs of wanted) {
    const known = video.querySelector(`track[data-track="${CSS.escape(attrs["data-track"])}"]`);
    if (!known) video.append(el("track", attrs));
    else if (known.getAttribute("src").split("?")[0] !== attrs.src.split("?")[0]) known.src = attrs.src;
  }
}

/**
 * The captions part of a card: `{node, update(asset)}`. `el` builds elements; `send(asset,
 * language, name, file, type)` and `remove(asset, language)` call muxd and return the asset after;
 * `say(message)` shows an error on the card.
 */
export function captionsPanel({ el, send, remove, say, idSuffix }) {
  const list = el("ul", { class: "caption-list" });
  const languageId = `caption-language-${idSuffix}`;
  const fileId = `caption-file-${idSuffix}`;
  const language = el("input", { id: languageId, type: "text", required: "", maxlength: "12",
    pattern: "[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value: "en", autocomplete: "off", size: "6" });
  const file = el("input", { id: fileId, type: "file", required: "", accept: ".vtt,.srt,text/vtt,application/x-subrip" });
  const submit = el("button", { type: "submit" }, "Add captions");
  const form = el("form", { class: "caption-form" },
    el("label", { for: languageId }, "Language"), language,
    el("label", { for: fileId }, "Captions file (.vtt or .srt)"), file, submit);
  const node = el("section", { class: "captions", "aria-label": "Captions", hidden: "" },
    el("h4", {}, "Captions"), list, form);
  let current = null;

  form.addEventListener("submit", async e => {
    e.preventDefault();
    const [picked] = file.files;
    const type = picked && captionType(picked.name, picked.type);
    if (!type) return say("Pick a WebVTT (.vtt) or SRT (.srt) captions file.");
    submit.disabled = true;
    try {
      update(await send(current, language.value.trim(), null, picked, type));
      file.value = "";
      say("");
    } catch (error) {
      say(`Could not add the captions: ${error.message}`);
    } finally {
      submit.disabled = false;
    }
  });

  function update(asset) {
    current = asset;
    node.hidden = asset.status !== "READY";
    const captions = asset.captions || [];
    list.replaceChildren(...captions.map(caption => {
      const del = el("button", { type: "button", "aria-label": `Delete the ${caption.name || caption.language} captions` }, "Delete");
      del.addEventListener("click", async () => {
        del.disabled = true;
        try {
          update(await remove(current, caption.language));
          say("");
        } catch (error) {
          say(`Could not delete the captions: ${error.message}`);
          del.disabled = false;
        }
      });
      const item = el("li", { "data-caption": caption.id, "data-status": caption.status }, captionWords(caption), " ");
      if (caption.transcriptUrl) item.append(el("a", { href: caption.transcriptUrl, target: "_blank", rel: "noopener" }, "Transcript"), " ");
      item.append(del);
      return item;
    }));
    if (captions.length === 0) list.replaceChildren(el("li", { class: "hint" }, "No captions yet."));
  }
  return { node, update };
}
