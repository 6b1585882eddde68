// /admin/assets: the filtered asset list with a resync button per row, and the playback-id check.

import { api, el, when, filtersFromAddress, pager, failure, state, PAGE_SIZE } from "./admin-common.js";

const table = document.getElementById("assets");
const { query, offset } = filtersFromAddress(document.getElementById("filters"));

function statusCell(row) {
  const { asset } = row;
  const notes = [];
  if (asset.stuck) notes.push("stuck");
  if (row.muxDeletePending) notes.push("Mux delete pending");
  if (row.origin === "adopted") notes.push("adopted");
  if (asset.maxResolutionTier) notes.push(`${asset.maxResolutionTier} · ${asset.videoQuality}`);
  if (asset.error) notes.push(asset.error.message);
  for (const caption of asset.captions || []) notes.push(`captions ${caption.language}: ${caption.status}`);
  for (const match of asset.matches || []) notes.push(`“${match.text}” at ${Math.floor(match.startSeconds)} s`);
  return el("td", {}, el("span", { class: "tag", "data-status": asset.status }, asset.status),
    notes.length ? el("div", { class: "note" }, notes.join(" · ")) : "");
}

function resyncButton(asset, result, cells) {
  const button = el("button", { type: "button", "aria-label": `Resync ${asset.name} from Mux` }, "Resync");
  button.addEventListener("click", async () => {
    button.disabled = true;
    result.textContent = "Asking Mux…";
    try {
      const answer = await api(`/api/debug/mux-assets/${asset.id}/resync`, { method: "POST" });
      result.textContent = answer.applied.length
        ? `Changed: ${answer.applied.map(c => `${c.from} → ${c.to}`).join(", ")}`
        : "Already up to date.";
      cells.status.replaceWith(cells.status = statusCell({ asset: answer.asset }));
    } catch (error) {
      result.textContent = failure(error);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function row(entry) {
  const { asset } = entry;
  const result = el("div", { class: "result", role: "status" });
  const cells = { status: statusCell(entry) };
  return el("tr", { "data-asset": asset.id },
    el("th", { scope: "row" }, asset.name, el("div", { class: "note" }, asset.id)),
    cells.status,
    el("td", { class: "mono" }, entry.ownerId),
    el("td", { class: "mono" }, asset.muxAssetId || "—"),
    el("td", {}, when(asset.createdAt)),
    el("td", {}, when(asset.updatedAt)),
    el("td", {}, resyncButton(asset, result, cells), result));
}

async function load() {
  query.set("limit", PAGE_SIZE);
  query.set("offset", offset);
  try {
    const page = await api(`/api/debug/mux-assets?${query}`);
    table.tBodies[0].replaceChildren(...page.data.map(row));
    table.hidden = page.data.length === 0;
    state(page.data.length ? "" : "No assets match these filters.");
    pager(offset, page.data.length);
  } catch (error) {
    state(failure(error), true);
  }
}

async function verify(repair) {
  const out = document.getElementById("verify-result");
  out.replaceChildren("Checking every ready asset with Mux…");
  try {
    const report = await api("/api/debug/verify-mux-playback-ids", { method: "POST", body: JSON.stringify({ repair }) });
    const summary = `Checked ${report.checked}; ${report.problems} with a problem.`;
    out.replaceChildren(el("p", {}, summary), ...(report.report.length ? [el("ul", {},
      ...report.report.map(p => el("li", {}, `${p.assetId}: ${p.problem}${p.repaired ? " (repaired)" : ""}`)))] : []));
  } catch (error) {
    out.replaceChildren(el("p", { class: "error" }, failure(error)));
  }
}

document.getElementById("verify").addEventListener("click", () => verify(false));
document.getElementById("verify-repair").addEventListener("click", () => verify(true));
load();
