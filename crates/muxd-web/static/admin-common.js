// What the admin pages share: building elements (`dom.js`), reading the filter form from the
// address, paging, and turning API failures into words.

export { api } from "./content-api.js";
export { el } from "./dom.js";

export const PAGE_SIZE = 50;

/** A time (RFC 3339 text or unix ms) as local date and time; "" when absent. */
export function when(value) {
  if (value === null || value === undefined) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

/** Fills `form` from the address's query and returns the query to send to the API. */
export function filtersFromAddress(form) {
  const query = new URLSearchParams(location.search);
  for (const field of form.elements) {
    if (!field.name || !query.has(field.name)) continue;
    if (field.type === "checkbox") field.checked = query.get(field.name) === "true";
    else field.value = query.get(field.name);
  }
  const sent = new URLSearchParams();
  for (const [k, v] of query) if (v && k !== "offset") sent.set(k, v);
  return { query: sent, offset: Math.max(0, Number(query.get("offset")) || 0) };
}

/** Previous/next buttons that change `?offset=` in the address (so a page can be linked). */
export function pager(offset, rows) {
  const prev = document.getElementById("prev");
  const next = document.getElementById("next");
  prev.disabled = offset === 0;
  next.disabled = rows < PAGE_SIZE;
  document.getElementById("page-label").textContent = rows
    ? `Rows ${offset + 1}–${offset + rows}` : "No rows";
  const go = to => {
    const query = new URLSearchParams(location.search);
    query.set("offset", Math.max(0, to));
    location.search = query;
  };
  prev.onclick = () => go(offset - PAGE_SIZE);
  next.onclick = () => go(offset + PAGE_SIZE);
}

/** What to say when an admin call fails. */
export function failure(error) {
  if (error.status === 401) return "You are not signed in any more. Sign in again and reload.";
  if (error.status === 403) return "Only admins may do this.";
  return `It failed: ${error.message}`;
}

/** Shows `message` in the page's status line `id` (`error` styles it as a failure). */
export function state(message, error = false, id = "state") {
  const node = document.getElementById(id);
  node.textContent = message;
  node.hidden = !message;
  node.classList.toggle("error", error);
}
