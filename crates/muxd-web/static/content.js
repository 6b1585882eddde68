// The campaign content page ("Step 4: Content"): a section per influencer (plus one for videos
// without an influencer), each with a <muxd-uploader> and the asset cards, newest first, and a
// form that makes a video from a link. Cards are keyed by asset id and updated in place; the
// whole list is loaded page by page, then kept fresh by the live stream (content-live.js). One
// card per video: once muxd has made an upload's asset, the uploader hands its item's panel
// (progress, Pause/Resume/Retry/Cancel) over to the asset's card, which shows it while the file
// is sent and drops it once sent; a replacement's panel goes to the card it replaces the video of.

import { api, allAssets } from "./content-api.js";
import { createCard, deleteDialog, statusWords } from "./content-card.js";
import { el } from "./dom.js";
import { LiveFeed } from "./content-live.js";
import { linkForm } from "./content-link.js";
import { searchForm } from "./content-search.js";
import { announce } from "./uploader-announce.js";

const main = document.getElementById("influencers");
const campaignId = main.dataset.campaign;
const pageState = document.getElementById("page-state");
const liveState = document.getElementById("live-state");
const NONE = "none";
let campaignUuid = null; // muxd's id of the campaign, as assets carry it

const groups = new Map(); // influencer id (or NONE) → {section, list, empty, uploader}
const cards = new Map(); // asset id → card
const uploads = new Map(); // asset id → {state, percent, replacing} of this page's upload of it, while it sends
const panels = new Map(); // asset id → the uploader's panel of the file being sent for it

function group(asset) {
  return groups.get(asset.influencerId) || groups.get(NONE);
}

function addGroup(key, title, influencerId) {
  const headingId = `group-${key}`;
  const uploader = el("muxd-uploader", { campaign: campaignId, influencer: influencerId });
  const list = el("div", { class: "cards" });
  const empty = el("p", { class: "empty" }, "No videos yet.");
  const section = el("section", { class: "group", "aria-labelledby": headingId, "data-influencer": influencerId || NONE },
    el("h2", { id: headingId, tabindex: "-1" }, title), uploader, empty, list);
  main.append(section);
  groups.set(key, { section, list, empty, uploader });
}

function refreshEmpty() {
  for (const { list, empty } of groups.values()) empty.hidden = list.children.length > 0;
}

/** Puts `card` in `list` in newest-first order (a card already in place is not touched). */
function place(list, card) {
  const created = card.asset.createdAt;
  const before = [...list.children].find(n => n !== card.node && cards.get(n.dataset.asset)?.asset.createdAt < created);
  if (card.node.parentNode === list && card.node.nextSibling === (before || null)) return;
  const video = card.node.querySelector("video");
  if (card.node.parentNode === list && video && !video.paused) return; // moving would stop it
  list.insertBefore(card.node, before || null);
}

const confirmDelete = deleteDialog(document.getElementById("delete-dialog"), asset => remove(asset.id, true));

/** Removes a card; focus moves to a neighbour if it was in the card (or `moveFocus`). */
function remove(id, moveFocus = false) {
  const card = cards.get(id);
  if (!card) return;
  const next = card.node.nextElementSibling || card.node.previousElementSibling;
  const hadFocus = moveFocus || card.node.contains(document.activeElement);
  card.node.remove();
  cards.delete(id);
  uploads.delete(id);
  panels.delete(id);
  refreshEmpty();
  if (hadFocus) (next?.querySelector("button") || group(card.asset).section.querySelector("h2")).focus();
}

/** Shows `asset` as it now is: a new card, an updated one, or none when deleted. */
function upsert(asset) {
  live.saw(Date.parse(asset.updatedAt));
  if (asset.status === "DELETED") return remove(asset.id);
  const known = cards.get(asset.id);
  if (known && known.asset.version > asset.version) return; // an older view arrived late
  if (asset.status !== "AWAITING_UPLOAD" && !uploads.get(asset.id)?.replacing) uploads.delete(asset.id);
  const card = known || createCard(asset, {
    confirmDelete,
    uploadAgain: a => group(a).uploader.pick(),
    replace: (a, file) => group(a).uploader.replace(a.id, file),
  });
  if (!known) {
    cards.set(asset.id, card);
    card.setTransfer(panels.get(asset.id) || null, uploads.get(asset.id)?.replacing);
  } else if (known.asset.status !== asset.status) {
    announce(`${asset.name}: ${statusWords(asset)}.`);
  }
  card.update(asset, uploads.get(asset.id));
  place(group(asset).list, card);
  refreshEmpty();
}

/** Loads the whole list and makes the cards match it. */
async function reload() {
  const assets = await allAssets(campaignId);
  const seen = new Set(assets.map(a => a.id));
  for (const id of [...cards.keys()]) if (!seen.has(id)) remove(id);
  for (const asset of assets) upsert(asset);
  main.dataset.count = cards.size;
}

const live = new LiveFeed({
  // The stream carries all of the user's assets: keep this campaign's.
  onAsset: asset => { if (asset.campaignId === campaignUuid || cards.has(asset.id)) upsert(asset); },
  resync: reload,
  onState: (words, mode) => {
    // The page's one live region says when the page stops (or starts again) being kept up to date.
    if (liveState.dataset.mode !== mode && liveState.dataset.mode !== "connecting") announce(words);
    liveState.textContent = words;
    liveState.dataset.mode = mode;
  },
});

// The uploader's item becomes the asset's card: the card shows its panel while the file is sent.
main.addEventListener("muxd-upload-handover", e => {
  const id = e.detail.replaces || e.detail.assetId;
  const panel = e.detail.claim(() => cards.get(id)?.firstAction());
  panels.set(id, panel);
  uploads.set(id, { ...uploads.get(id), state: e.detail.state, percent: e.detail.percent, replacing: Boolean(e.detail.replaces) });
  if (e.detail.asset) upsert(e.detail.asset);
  const card = cards.get(id);
  if (card) {
    card.setTransfer(panel, Boolean(e.detail.replaces));
    card.update(card.asset, uploads.get(id));
  }
});

/** Notes what the uploader says of an upload (its percent or its state) on the asset's card. */
function noteUpload(detail, news) {
  const id = detail.replaces || detail.assetId;
  if (!id || !panels.has(id)) return;
  const upload = { ...uploads.get(id), ...news };
  uploads.set(id, upload);
  const card = cards.get(id);
  // Once sent (or called off) the file's panel leaves the card: the asset's status goes on.
  if (["done", "cancelled"].includes(upload.state)) {
    panels.delete(id);
    card?.setTransfer(null);
    if (upload.replacing) uploads.delete(id);
  }
  if (card) card.update(card.asset, uploads.get(id));
}
main.addEventListener("muxd-upload-progress", e => noteUpload(e.detail, { percent: e.detail.percent }));
main.addEventListener("muxd-upload-state", e => noteUpload(e.detail, { state: e.detail.state }));

/** Plays `id`'s card video from `seconds`, bringing the card into view. */
function playFrom(id, seconds) {
  const card = cards.get(id);
  const video = card?.node.querySelector("video, mux-player");
  if (!video) return announce("That video cannot be played here yet.");
  card.node.scrollIntoView({ block: "center" });
  video.currentTime = seconds;
  video.focus();
  video.play().catch(() => {});
}

searchForm({
  form: document.getElementById("search"), results: document.getElementById("search-results"),
  status: document.getElementById("search-status"), campaignId, playFrom, el, announce,
});

function signInHint() {
  return el("p", {}, "You are not signed in. With ", el("code", {}, "muxd dev"), ", sign in at ",
    el("a", { href: "/dev/login?as=user" }, "/dev/login?as=user"), "; otherwise sign in through your app.");
}

(async () => {
  try {
    const campaign = await api(`/api/campaigns/${encodeURIComponent(campaignId)}`);
    document.getElementById("campaign-name").textContent = campaign.name;
    document.title = `${campaign.name} · Step 4: Content · muxd`;
    campaignUuid = campaign.id;
    for (const influencer of campaign.influencers) {
      addGroup(influencer.id, influencer.handle ? `${influencer.name} (${influencer.handle})` : influencer.name, influencer.id);
    }
    addGroup(NONE, "Without influencer", null);
    // A video from a link has no influencer: its form sits where its card will show.
    groups.get(NONE).uploader.after(linkForm(campaignId, asset => { upsert(asset); announce(`${asset.name}: added from the link.`); }));
    pageState.textContent = "Loading videos…";
    await reload();
    pageState.hidden = true;
    live.connect();
  } catch (error) {
    pageState.hidden = false;
    pageState.classList.add("error");
    announce(`Could not load the campaign: ${error.message}`);
    if (error.status === 401) pageState.replaceChildren(signInHint());
    else if (error.status === 404) pageState.textContent = "This campaign does not exist, or you may not see it.";
    else pageState.textContent = `Could not load the campaign: ${error.message}`;
    liveState.textContent = "Not connected";
  } finally {
    main.removeAttribute("aria-busy");
  }
})();
