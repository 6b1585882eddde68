// /admin/webhooks: the host app's outbound webhook endpoints: the list, adding one (its signing
// secret shown once, with a copy button; the API's refusal in words), pausing and resuming one,
// and deleting one after a confirmation dialog. The delivery log below is admin-deliveries.js.

import { api, el, when, failure, state } from "./admin-common.js";
import { loadDeliveries } from "./admin-deliveries.js";

const table = document.getElementById("endpoints");
const form = document.getElementById("create");
const createError = document.getElementById("create-error");
const secret = document.getElementById("secret");
const dialog = document.getElementById("delete-dialog");

let unique = 0;

/** The event types an endpoint hears, in words. */
function filterWords(types) {
  return types.length ? types.join(", ") : "Every event type";
}

function row(endpoint) {
  const nameId = `endpoint-${++unique}`;
  const described = { "aria-describedby": nameId };
  const toggle = el("button", { type: "button", ...described }, endpoint.disabled ? "Enable" : "Disable");
  const remove = el("button", { type: "button", ...described }, "Delete");
  const result = el("div", { class: "result", role: "status" });
  const node = el("tr", { "data-endpoint": endpoint.id, "data-disabled": String(endpoint.disabled) },
    el("th", { scope: "row" }, el("span", { class: "mono", id: nameId }, endpoint.url),
      endpoint.description ? el("div", { class: "note" }, endpoint.description) : "",
      el("div", { class: "note mono" }, endpoint.id)),
    el("td", {}, filterWords(endpoint.eventTypes)),
    el("td", {}, el("span", { class: "tag", "data-endpoint-state": endpoint.disabled ? "disabled" : "enabled" },
      endpoint.disabled ? "Disabled: deliveries wait" : "Enabled")),
    el("td", {}, when(endpoint.createdAt)),
    el("td", {}, toggle, " ", remove, result));
  toggle.addEventListener("click", async () => {
    toggle.disabled = true;
    try {
      const changed = await api(`/api/app/webhook-endpoints/${encodeURIComponent(endpoint.id)}`,
        { method: "PATCH", body: JSON.stringify({ disabled: !endpoint.disabled }) });
      const fresh = row(changed);
      node.replaceWith(fresh);
      fresh.querySelector("button").focus();
    } catch (error) {
      result.textContent = failure(error);
      toggle.disabled = false;
    }
  });
  remove.addEventListener("click", () => confirmDelete(endpoint, node));
  return node;
}

/** Asks in the dialog, then deletes; focus goes to a neighbour's button (or the list's heading). */
function confirmDelete(endpoint, node) {
  const confirm = dialog.querySelector("[data-confirm]");
  const error = dialog.querySelector("[data-error]");
  dialog.querySelector("[data-text]").textContent =
    `${endpoint.url} will hear nothing more, and its delivery log is deleted with it. This cannot be undone.`;
  error.hidden = true;
  confirm.onclick = async e => {
    e.preventDefault();
    confirm.disabled = true;
    try {
      await api(`/api/app/webhook-endpoints/${encodeURIComponent(endpoint.id)}`, { method: "DELETE" });
      const next = node.nextElementSibling || node.previousElementSibling;
      node.remove();
      dialog.close("deleted");
      if (!table.tBodies[0].children.length) showList([]);
      (next?.querySelector("button") || document.getElementById("endpoints-title")).focus();
    } catch (err) {
      error.textContent = `Could not delete: ${failure(err)}`;
      error.hidden = false;
    } finally {
      confirm.disabled = false;
    }
  };
  dialog.onclose = () => { if (dialog.returnValue !== "deleted" && node.isConnected) node.querySelectorAll("button")[1].focus(); };
  dialog.returnValue = "";
  dialog.showModal();
}

function showList(endpoints) {
  table.tBodies[0].replaceChildren(...endpoints.map(row));
  table.hidden = endpoints.length === 0;
  state(endpoints.length ? "" : "No endpoints yet: add one above.");
}

/** Loads the endpoints; returns them (an empty list when they could not be loaded). */
async function loadEndpoints() {
  try {
    const { data } = await api("/api/app/webhook-endpoints");
    showList(data);
    return data;
  } catch (error) {
    state(failure(error), true);
    return [];
  }
}

/** Shows a new endpoint's secret, once, with a button that copies it. */
function showSecret(endpoint) {
  secret.querySelector("[data-url]").textContent = endpoint.url;
  document.getElementById("secret-value").textContent = endpoint.secret;
  document.getElementById("copy-state").textContent = "";
  secret.hidden = false;
  secret.focus();
}

document.getElementById("copy-secret").addEventListener("click", async () => {
  const words = document.getElementById("copy-state");
  const value = document.getElementById("secret-value");
  try {
    await navigator.clipboard.writeText(value.textContent);
    words.textContent = "Copied.";
  } catch {
    getSelection().selectAllChildren(value);
    words.textContent = "The browser did not let the page copy: the secret is selected, press Ctrl+C (⌘C).";
  }
});

form.addEventListener("submit", async e => {
  e.preventDefault();
  const fields = form.elements;
  const body = {
    url: fields.url.value.trim(),
    eventTypes: [...form.querySelectorAll("input[name=eventTypes]:checked")].map(box => box.value),
  };
  const description = fields.description.value.trim();
  if (description) body.description = description;
  const submit = form.querySelector("button[type=submit]");
  submit.disabled = true;
  createError.hidden = true;
  try {
    const endpoint = await api("/api/app/webhook-endpoints", { method: "POST", body: JSON.stringify(body) });
    form.reset();
    showSecret(endpoint);
    await loadEndpoints().then(fillEndpointFilter);
  } catch (error) {
    createError.textContent = error.status === 400
      ? `Could not add the endpoint: ${error.message}` : failure(error);
    createError.hidden = false;
    fields.url.focus();
  } finally {
    submit.disabled = false;
  }
});

/** The log's endpoint filter offers each endpoint by its URL. */
function fillEndpointFilter(endpoints) {
  const select = document.getElementById("f-endpoint");
  const chosen = select.value || new URLSearchParams(location.search).get("endpointId") || "";
  select.replaceChildren(el("option", { value: "" }, "Any"),
    ...endpoints.map(ep => el("option", { value: ep.id }, ep.url)));
  select.value = chosen;
  return endpoints;
}

const endpoints = fillEndpointFilter(await loadEndpoints());
await loadDeliveries(endpoints);
