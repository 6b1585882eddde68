// /admin/webhooks' delivery log: filtered by status and endpoint from the address (so a view can
// be linked), newest first. Each delivery opens to its payload and every attempt (fetched when
// opened); Replay sends it again now and follows it until its first new attempt is over.

import { api, el, when, filtersFromAddress, pager, failure, state, PAGE_SIZE } from "./admin-common.js";

const table = document.getElementById("deliveries");
/** How often, and how many times, a replayed delivery is looked at again. */
const FOLLOW_EVERY_MS = 1000;
const FOLLOW_TIMES = 30;

const deliveryPath = id => `/api/app/webhook-deliveries/${encodeURIComponent(id)}`;

/** One attempt in words: when, what the endpoint answered (or why it could not), how long. */
export function attemptWords(attempt) {
  const answer = attempt.statusCode ? `HTTP ${attempt.statusCode}` : attempt.error || "no answer";
  const why = attempt.statusCode && attempt.error ? ` (${attempt.error})` : "";
  return `${when(attempt.at)}: ${answer}${why}, ${attempt.durationMs} ms`;
}

/** Where a delivery stands, in words. */
export function statusWords(delivery) {
  const tries = `${delivery.attempts} attempt${delivery.attempts === 1 ? "" : "s"}`;
  const last = delivery.lastStatus ? `last answer HTTP ${delivery.lastStatus}` : delivery.lastError || "";
  switch (delivery.status) {
    case "delivered": return `Delivered ${when(delivery.deliveredAt)} (${tries})`;
    case "failed": return `Failed after ${tries}${last ? `; ${last}` : ""}`;
    default: return delivery.attempts
      ? `Pending: ${tries}, ${last || "no answer yet"}; next ${when(delivery.nextAttemptAt)}`
      : "Pending: not sent yet";
  }
}

/** A <details> that loads the delivery's payload and attempts each time it is opened:
 * `{node, load}` (`load` also refreshes it while open). */
function details(delivery) {
  const body = el("div", {}, "Loading…");
  const node = el("details", {}, el("summary", {}, "Payload and attempts"), body);
  const load = async () => {
    try {
      const full = await api(deliveryPath(delivery.id));
      const attempts = full.attempts.length
        ? el("ol", { class: "attempts" }, ...full.attempts.map(a => el("li", {}, attemptWords(a))))
        : el("p", {}, "No attempt yet.");
      body.replaceChildren(el("h3", {}, "Attempts"), attempts,
        el("h3", {}, "Payload"), el("pre", { tabindex: "0", "aria-label": `Payload of delivery ${delivery.id}` },
          JSON.stringify(full.payload, null, 2)));
    } catch (error) {
      body.textContent = failure(error);
    }
  };
  node.addEventListener("toggle", () => { if (node.open) load(); });
  return { node, load };
}

/** The delivery's status cell: a tag and the words, redrawn as it changes. */
function showStatus(cell, delivery) {
  cell.replaceChildren(el("span", { class: "tag", "data-delivery": delivery.status }, delivery.status),
    el("div", { class: "note" }, statusWords(delivery)));
}

/** Replay, and what became of it; `replayed()` is called after (to refresh the details). */
function replayButton(delivery, statusCell, replayed) {
  const button = el("button", { type: "button", "aria-label": `Replay delivery ${delivery.id}` }, "Replay");
  const result = el("div", { class: "result", role: "status" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    result.textContent = "Sending it again…";
    try {
      await api(`${deliveryPath(delivery.id)}/replay`, { method: "POST" });
      let now = null;
      for (let i = 0; i < FOLLOW_TIMES; i++) {
        now = (await api(deliveryPath(delivery.id))).delivery;
        if (now.status !== "pending" || now.attempts > 0) break; // a replay starts at 0 attempts
        await new Promise(resolve => setTimeout(resolve, FOLLOW_EVERY_MS));
      }
      showStatus(statusCell, now);
      replayed();
      result.textContent = now.status === "delivered" ? "Replayed: delivered."
        : `Replayed: ${statusWords(now)}.`;
    } catch (error) {
      result.textContent = failure(error);
    } finally {
      button.disabled = false;
    }
  });
  return [button, result];
}

function row(delivery, urls) {
  const statusCell = el("td", {});
  showStatus(statusCell, delivery);
  const more = details(delivery);
  return el("tr", { "data-delivery": delivery.id },
    el("td", {}, when(delivery.createdAt)),
    el("th", { scope: "row" }, delivery.eventType, el("div", { class: "note mono" }, `asset ${delivery.assetId}`)),
    el("td", { class: "mono" }, urls.get(delivery.endpointId) || delivery.endpointId),
    statusCell,
    el("td", {}, more.node),
    el("td", {}, ...replayButton(delivery, statusCell, () => { if (more.node.open) more.load(); })));
}

/** Loads the log page the address asks for; `endpoints` name each delivery's endpoint. */
export async function loadDeliveries(endpoints) {
  const { query, offset } = filtersFromAddress(document.getElementById("filters"));
  const urls = new Map(endpoints.map(ep => [ep.id, ep.url]));
  query.set("limit", PAGE_SIZE);
  query.set("offset", offset);
  try {
    const page = await api(`/api/app/webhook-deliveries?${query}`);
    table.tBodies[0].replaceChildren(...page.data.map(d => row(d, urls)));
    table.hidden = page.data.length === 0;
    state(page.data.length ? "" : "No deliveries match these filters.", false, "log-state");
    pager(offset, page.data.length);
  } catch (error) {
    state(failure(error), true, "log-state");
  }
}
