// The host app's own script: exchanges the app's token for muxd's session cookie
// (`POST /api/session`, with credentials), then follows the user's videos on muxd's live stream
// (`EventSource` with credentials), as muxd's README says a page on another origin does. It also
// records the uploader's `muxd-asset-ready` / `muxd-asset-error` events on `window.muxdEvents`,
// as an app reacting to them would, so a test can see they fired.

window.muxdEvents = [];
for (const type of ["muxd-asset-ready", "muxd-asset-error"]) {
  document.addEventListener(type, e => window.muxdEvents.push({ type, id: e.detail.id, name: e.detail.name, status: e.detail.status }));
}

const uploader = document.querySelector("muxd-uploader");
const muxd = uploader.getAttribute("api-base");
const session = document.getElementById("session");
const videos = document.getElementById("videos");

function say(state, words) {
  session.dataset.state = state;
  session.textContent = words;
}

/** Shows `asset` (muxd's view of it) in the list, by id. */
function show(asset) {
  let item = [...videos.children].find(li => li.dataset.asset === asset.id);
  if (!item) {
    item = document.createElement("li");
    item.dataset.asset = asset.id;
    videos.append(item);
  }
  item.dataset.status = asset.status;
  item.dataset.name = asset.name;
  item.textContent = `${asset.name}: ${asset.status}`;
}

try {
  const answer = await fetch(`${muxd}/api/session`, {
    method: "POST", credentials: "include",
    headers: { Authorization: `Bearer ${uploader.getAttribute("token")}` },
  }).catch(() => { throw new Error("no answer: muxd is down, or does not accept calls from this page"); });
  if (!answer.ok) throw new Error(`muxd answered ${answer.status}`);
  const live = new EventSource(`${muxd}/api/live`, { withCredentials: true });
  live.addEventListener("ready", () => say("live", "Signed in to muxd; following your videos live."));
  live.addEventListener("asset", e => show(JSON.parse(e.data)));
  live.onerror = () => say("reconnecting", "Lost muxd's live stream; reconnecting…");
} catch (error) {
  say("refused", `Could not sign in to muxd (${error.message}).`);
}
