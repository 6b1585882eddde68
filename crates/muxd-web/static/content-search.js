// The content page's search: finds the campaign's videos by what is said in them (their
// captions' transcripts) or by name and description, and lists them best first, each with the
// lines where the words are said and a "Play from 0:42" button that plays the card's video there.

import { api } from "./content-api.js";
import { clock } from "./content-captions.js";

/**
 * Wires the search `form` (an input named `q`) to `results` (a list) for `campaignId`;
 * `playFrom(assetId, seconds)` plays a card's video from a time, `el` builds elements and
 * `announce` speaks to screen readers.
 */
export function searchForm({ form, results, status, campaignId, playFrom, el, announce }) {
  const input = form.elements.q;
  const clear = form.querySelector("[data-clear]");
  async function run(q) {
    status.textContent = "Searching…";
    try {
      const query = new URLSearchParams({ campaignId, q, limit: 50 });
      const page = await api(`/api/creative-assets?${query}`);
      results.replaceChildren(...page.data.map(asset => result(asset)));
      const words = page.data.length === 0 ? `No video matches “${q}”.`
        : `${page.data.length} ${page.data.length === 1 ? "video matches" : "videos match"} “${q}”.`;
      status.textContent = words;
      announce(words);
      clear.hidden = false;
    } catch (error) {
      status.textContent = `Could not search: ${error.message}`;
    }
  }
  function result(asset) {
    const lines = (asset.matches || []).map(match => {
      const play = el("button", { type: "button", "data-seconds": String(match.startSeconds) },
        `Play from ${clock(match.startSeconds)}`);
      play.addEventListener("click", () => playFrom(asset.id, match.startSeconds));
      return el("li", { class: "match" }, el("q", {}, match.text), " ", play);
    });
    const item = el("li", { "data-asset": asset.id }, el("strong", {}, asset.name));
    if (lines.length) item.append(el("ul", { class: "matches" }, ...lines));
    else item.append(el("p", { class: "hint" }, "Matches its name or description."));
    return item;
  }
  form.addEventListener("submit", e => {
    e.preventDefault();
    const q = input.value.trim();
    if (q) run(q);
  });
  clear.addEventListener("click", () => {
    input.value = "";
    results.replaceChildren();
    status.textContent = "";
    clear.hidden = true;
    input.focus();
  });
}
