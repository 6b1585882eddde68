// The content page's "Paste a link" form: a video made from a file that is not on this device
// (Mux fetches it from the link, `POST /api/mux/create-video-from-url`). muxd's refusal (a 400:
// not http(s), not a public address, …) is shown next to the field; the created asset gets its
// card, which the live stream then follows like any other.

import { api } from "./content-api.js";
import { el } from "./dom.js";

/** The form for campaign `campaignId`; `onCreated(asset)` gets each video it makes. */
export function linkForm(campaignId, onCreated) {
  const input = el("input", {
    type: "url", id: "link-url", name: "url", required: "", placeholder: "https://",
    autocomplete: "off", "aria-describedby": "link-hint link-error",
  });
  const hint = el("p", { class: "hint", id: "link-hint" },
    "A link to a video file (Dropbox, Drive, your editor's export…); Mux fetches it.");
  const error = el("p", { class: "error", id: "link-error", hidden: "" });
  const submit = el("button", { type: "submit" }, "Add from link");
  const form = el("form", { class: "link-form", "aria-labelledby": "link-title", novalidate: "" },
    el("h3", { id: "link-title" }, "Or paste a link"),
    el("label", { for: "link-url" }, "Link to a video file"),
    el("div", { class: "link-row" }, input, submit), hint, error);
  const say = message => {
    error.textContent = message;
    error.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };
  form.addEventListener("submit", async e => {
    e.preventDefault();
    const url = input.value.trim();
    if (!url) return say("Paste a link first.");
    if (!input.checkValidity()) return say("That is not a link (it should start with https://).");
    submit.disabled = true;
    try {
      const created = await api("/api/mux/create-video-from-url", {
        method: "POST", body: JSON.stringify({ url, campaignId }),
      });
      say("");
      input.value = "";
      onCreated(created.asset);
    } catch (err) {
      say(err.message);
      input.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
