// /admin/health: asks /api/health/mux-system (and /metrics, for the webhook rate and ack
// latency the health JSON does not carry) every 2 s and draws each figure's last two minutes.

import { el, when } from "./admin-common.js";
import { sparkline } from "./admin-sparkline.js";
import { webhookFigures, webhookRate } from "./admin-metrics.js";

const EVERY_MS = 2000;
const SLOTS = 60;
const BREAKER = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

/** The figures drawn: title, how to read one from an answer (and the one before), words for it. */
const FIGURES = [
  ["Mux circuit breaker", h => BREAKER[h.resilience?.circuitBreaker?.state] ?? 0,
    (v, h) => `${h.resilience?.circuitBreaker?.state ?? "unknown"} (0 closed, 1 half open, 2 open)`, 2],
  ["Retry budget left", h => h.resilience?.retryBudget?.remainingBudget ?? 0,
    (v, h) => `${v} of ${(h.resilience?.retryBudget?.budgetLimit ?? 0)} + ${h.resilience?.retryBudget?.percent ?? 0} % of traffic`],
  ["Mux calls per 2 s", (h, prev) => delta(h, prev, t => t.calls), v => `${v}`],
  ["Failed Mux calls per 2 s", (h, prev) => delta(h, prev, t => t.failures), v => `${v}`],
  ["Polling sessions", h => h.polling?.activeSessions ?? 0, (v, h) => `${v} active, ${h.polling?.stuck ?? 0} stuck, ${h.polling?.givenUp ?? 0} given up`],
  ["Uploads in flight", h => h.processing?.currentlyProcessing ?? 0,
    (v, h) => `${v} (${Object.entries(h.database?.statusCounts ?? {}).map(([s, n]) => `${s} ${n}`).join(", ") || "none"})`],
  ["Recent errors", h => h.processing?.recentErrors ?? 0,
    (v, h) => `${v} (${h.processing?.recentSystemErrors ?? 0} system), error rate ${Math.round(100 * (h.processing?.errorRate ?? 0))} %`],
  ["Webhooks per 2 s", (h, prev) => webhookRate(h.webhookFigures, prev?.webhookFigures).count, v => `${v}`],
  ["Webhook ack time (mean)", (h, prev) => webhookRate(h.webhookFigures, prev?.webhookFigures).ackMs,
    (v, h, prev) => (webhookRate(h.webhookFigures, prev?.webhookFigures).count ? `${v} ms` : "no webhooks in the last 2 s")],
  ["Seconds since the last webhook", h => sinceLastWebhook(h), v => (Number.isFinite(v) ? `${v} s` : "none yet")],
  ["Webhooks rejected", h => Object.values(h.webhooks?.rejected ?? {}).reduce((a, b) => a + b, 0),
    (v, h) => `${v} in all ${Object.keys(h.webhooks?.rejected ?? {}).length ? JSON.stringify(h.webhooks.rejected) : ""}`.trim()],
  ["Database answer time", h => h.database?.responseTime ?? 0, (v, h) => (h.database?.connected ? `${v} ms` : "not connected")],
];

function delta(h, prev, pick) {
  if (!prev?.resilience?.totals || !h.resilience?.totals) return 0;
  return Math.max(0, pick(h.resilience.totals) - pick(prev.resilience.totals));
}

function sinceLastWebhook(h) {
  const at = Date.parse(h.webhooks?.lastReceivedAt ?? "");
  const now = Date.parse(h.timestamp ?? "");
  return Number.isFinite(at) && Number.isFinite(now) ? Math.max(0, Math.round((now - at) / 1000)) : NaN;
}

const panels = FIGURES.map(([title, read, words, max]) => {
  const value = el("p", { class: "value" }, "…");
  const chart = sparkline(SLOTS, max);
  const node = el("section", { class: "panel" }, el("h2", {}, title), value, chart.svg);
  return { node, value, chart, read, words, title, history: [] };
});
document.getElementById("panels").append(...panels.map(p => p.node));
const jobs = el("section", { class: "panel wide" }, el("h2", {}, "Background jobs"));
const jobsTable = el("table", {}, el("caption", {}, "Each job's runs"),
  el("thead", {}, el("tr", {}, ...["Job", "Runs", "Failures", "Last success", "Last error"].map(h => el("th", { scope: "col" }, h)))),
  el("tbody"));
jobs.append(el("div", { class: "table-wrap" }, jobsTable));
document.getElementById("panels").append(jobs);

const overall = document.getElementById("overall");
let previous = null;

function show(h) {
  overall.dataset.status = h.status;
  overall.textContent = `${{ healthy: "Healthy", degraded: "Degraded", unhealthy: "Unhealthy" }[h.status] ?? h.status}. `
    + `muxd ${h.version}, up ${Math.round(h.uptimeSeconds / 60)} min; answered ${when(h.timestamp)}.`;
  for (const p of panels) {
    const v = p.read(h, previous);
    p.history.push(Number.isFinite(v) ? v : 0);
    if (p.history.length > SLOTS) p.history.shift();
    const text = p.words(v, h, previous);
    p.value.textContent = text;
    const low = Math.min(...p.history), high = Math.max(...p.history);
    p.chart.draw(p.history, `${p.title} over the last ${p.history.length * 2} s: now ${text}; lowest ${low}, highest ${high}.`);
  }
  jobsTable.tBodies[0].replaceChildren(...Object.entries(h.jobs ?? {}).map(([name, j]) => el("tr", {},
    el("th", { scope: "row" }, name), el("td", {}, String(j.runs)), el("td", {}, String(j.failures)),
    el("td", {}, when(j.lastOkMs)), el("td", {}, j.lastError ?? "—"))));
  const { webhookFigures: _, ...raw } = h;
  document.getElementById("raw").textContent = JSON.stringify(raw, null, 2);
  previous = h;
}

async function tick() {
  try {
    const response = await fetch("/api/health/mux-system", { credentials: "same-origin" });
    const health = await response.json(); // 503 still carries the figures
    const metrics = await fetch("/metrics").then(r => (r.ok ? r.text() : null)).catch(() => null);
    health.webhookFigures = metrics ? webhookFigures(metrics) : null;
    show(health);
  } catch {
    overall.dataset.status = "unreachable";
    overall.textContent = `muxd did not answer at ${new Date().toLocaleTimeString()}; asking again…`;
  }
  setTimeout(tick, EVERY_MS);
}

tick();
