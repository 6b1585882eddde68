// The page's one polite live region: every announcement of the uploader and of the content page
// goes through it, so a screen reader hears each news once, in order, and never several regions
// talking over each other. It is made on first use, visually hidden (a class of the uploader's
// style sheet, no inline style), and shared by every module instance that looks it up by id.

export const ANNOUNCER_ID = "muxd-announcer";

/** Says `text` through the page's one polite live region (made on first use). */
export function announce(text) {
  if (!globalThis.document || !text) return;
  let region = document.getElementById(ANNOUNCER_ID);
  if (!region) {
    region = document.createElement("div");
    region.id = ANNOUNCER_ID;
    region.className = "muxd-visually-hidden";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    document.body.append(region);
  }
  // The same words twice in a row are news too: a changed text node is what gets read.
  region.textContent = region.textContent === text ? `${text}\u00a0` : text;
}
