// muxd's JSON API as the content page calls it (same origin, session cookie).

/** Calls `path`; the JSON answer, or an Error with muxd's message and the `status`. */
export async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, {
      credentials: "same-origin", ...options, headers: { "Content-Type": "application/json", ...options.headers },
    });
  } catch {
    throw Object.assign(new Error("muxd could not be reached; check your connection."), { status: 0 });
  }
  if (!response.ok) {
    let message = `muxd answered ${response.status} ${response.statusText}`.trim();
    try { message = (await response.json()).error.message; } catch { /* not JSON */ }
    throw Object.assign(new Error(message), { status: response.status });
  }
  return response.status === 204 ? null : response.json();
}

/** Every asset of `campaignId`, page by page until a page comes back short. */
export async function allAssets(campaignId, pageSize = 200) {
  const all = [];
  for (let offset = 0; ; offset += pageSize) {
    const query = new URLSearchParams({ campaignId, limit: pageSize, offset });
    const page = await api(`/api/creative-assets?${query}`);
    all.push(...page.data);
    if (page.data.length < pageSize) return all;
  }
}
