// /admin/events: the webhook event log (outcome and type filters), each payload in <details>
// (fetched when opened: the log itself comes without payloads), and replay with its outcome.

import { api, el, when, filtersFromAddress, pager, failure, state, PAGE_SIZE } from "./admin-common.js";

const table = document.getElementById("events");
const { query, offset } = filtersFromAddress(document.getElementById("filters"));

/** A <details> that loads the event's payload the first time it is opened. */
function payload(event) {
  // Focusable, so a keyboard can scroll a long payload.
  const pre = el("pre", { tabindex: "0", "aria-label": `Payload of event ${event.event_id}` }, "Loading…");
  const details = el("details", {}, el("summary", {}, "Payload"), pre);
  details.addEventListener("toggle", async () => {
    if (!details.open || details.dataset.loaded) return;
    details.dataset.loaded = "true";
    try {
      const full = await api(`/api/debug/webhook-events/${encodeURIComponent(event.event_id)}`);
      pre.textContent = typeof full.payload === "string" ? full.payload : JSON.stringify(full.payload, null, 2);
    } catch (error) {
      pre.textContent = failure(error);
      delete details.dataset.loaded;
    }
  });
  return details;
}

function replayButton(event, outcome) {
  const button = el("button", { type: "button", "aria-label": `Replay event ${event.event_id}` }, "Replay");
  const result = el("div", { class: "result", role: "status" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    result.textContent = "Replaying…";
    try {
      const answer = await api(`/api/debug/webhook-events/${encodeURIComponent(event.event_id)}/replay`, { method: "POST" });
      result.textContent = `Replayed: ${answer.outcome}${answer.assetId ? ` (asset ${answer.assetId})` : ""}.`;
      outcome.textContent = answer.outcome;
      outcome.dataset.outcome = answer.outcome;
    } catch (error) {
      result.textContent = failure(error);
    } finally {
      button.disabled = false;
    }
  });
  return [button, result];
}

function row(event) {
  const outcome = el("span", { class: "tag", "data-outcome": event.outcome }, event.outcome);
  const detail = event.detail ? el("div", { class: "note" }, event.detail) : "";
  return el("tr", { "data-event": event.event_id },
    el("td", {}, when(event.received_at)),
    el("th", { scope: "row" }, event.event_type, el("div", { class: "note mono" }, event.event_id)),
    el("td", {}, outcome, detail, event.deliveries > 1 ? el("div", { class: "note" }, `${event.deliveries} deliveries`) : ""),
    el("td", { class: "mono" }, event.asset_id || "—"),
    el("td", {}, payload(event)),
    el("td", {}, ...replayButton(event, outcome)));
}

async function load() {
  query.set("limit", PAGE_SIZE);
  query.set("offset", offset);
  try {
    const page = await api(`/api/debug/webhook-events?${query}`);
    table.tBodies[0].replaceChildren(...page.data.map(row));
    table.hidden = page.data.length === 0;
    state(page.data.length ? "" : "No webhook events match these filters.");
    pager(offset, page.data.length);
  } catch (error) {
    state(failure(error), true);
  }
}

load();
