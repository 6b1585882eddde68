// /admin/campaigns: each of the host app's campaigns with the encoding (and captions) its uploads ask Mux for, and
// a form per row to change it (the campaign is put back as it is, with the new choice).

import { api, el, failure, state } from "./admin-common.js";

const table = document.getElementById("campaigns");
const choices = document.getElementById("choices").content;

/** A labelled (for screen readers) copy of the page's `<select>` for `field`, set to `value` (null: the default). */
function choice(campaign, field, label, value) {
  const select = choices.querySelector(`[data-field="${field}"]`).cloneNode(true);
  select.id = `${field}-${campaign.id}`;
  select.name = field;
  select.value = value ?? "";
  select.setAttribute("aria-label", `${label} of ${campaign.name}`);
  return el("td", {}, select);
}

function row(campaign) {
  const result = el("span", { class: "result", role: "status" });
  const quality = choice(campaign, "videoQuality", "Video quality", campaign.videoQuality);
  const tier = choice(campaign, "maxResolutionTier", "Highest resolution", campaign.maxResolutionTier);
  const captions = choice(campaign, "captions", "Captions", campaign.captions);
  const save = el("button", { type: "button", "aria-label": `Save the encoding of ${campaign.name}` }, "Save");
  save.addEventListener("click", async () => {
    save.disabled = true;
    result.textContent = "Saving…";
    const body = {
      name: campaign.name,
      ownerId: campaign.ownerId,
      memberIds: campaign.memberIds,
    };
    for (const select of [quality, tier, captions].map(cell => cell.querySelector("select"))) {
      if (select.value) body[select.name] = select.value;
    }
    try {
      await api(`/api/app/campaigns/${encodeURIComponent(campaign.appId)}`, { method: "PUT", body: JSON.stringify(body) });
      result.textContent = "Saved.";
    } catch (error) {
      result.textContent = failure(error);
    } finally {
      save.disabled = false;
    }
  });
  return el("tr", { "data-campaign": campaign.appId },
    el("th", { scope: "row" }, campaign.name, el("div", { class: "note mono" }, campaign.appId)),
    el("td", { class: "mono" }, campaign.ownerId ?? "—"),
    quality, tier, captions,
    el("td", {}, save, " ", result));
}

async function load() {
  try {
    const list = await api("/api/app/campaigns");
    table.tBodies[0].replaceChildren(...list.data.map(row));
    table.hidden = list.data.length === 0;
    state(list.data.length ? "" : "The host app has put no campaigns yet (PUT /api/app/campaigns/{id}).");
  } catch (error) {
    state(failure(error), true);
  }
}

load();
