//! The security headers of every page and static file: a Content-Security-Policy that allows
//! only muxd's own scripts and styles (no inline ones anywhere), and `nosniff`.
//!
//! `connect-src` allows any http(s) origin because the uploader PUTs the file straight to the
//! direct-upload URL Mux hands out (another origin, not known when the page is rendered: Mux's
//! storage host, or the emulator's `http://127.0.0.1:<port>` under `muxd dev`), and a host app
//! may point it at muxd on yet another origin. `media-src` likewise allows the stream host
//! (`stream.mux.com`, or the emulator over http) and `blob:`, and `img-src` the image host of
//! posters (`image.mux.com`, or the emulator over http). Scripts, styles, frames and forms stay
//! on muxd's origin.

use axum::http::header::{CONTENT_SECURITY_POLICY, X_CONTENT_TYPE_OPTIONS};
use axum::http::HeaderValue;
use axum::response::Response;

/// [`POLICY`] for a page that plays with Mux Player: its scripts may also come from the one
/// pinned file of [`super::mux_player`] (not the rest of its CDN), and its HLS engine may run in
/// `blob:` workers. Its requests (playlists, segments, posters, Mux Data beacons) are covered by
/// `connect-src`, `media-src` and `img-src`; the Chromecast sender script it would load from
/// Google is left out, so casting is unavailable rather than a third script origin allowed.
pub const WITH_MUX_PLAYER: &str = concat!(
    "default-src 'self'; script-src 'self' ",
    super::mux_player::url!(),
    "; style-src 'self'; worker-src 'self' blob:; \
     img-src 'self' data: https: http:; media-src 'self' blob: https: http:; \
     connect-src 'self' http: https:; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'"
);

pub const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: https: http:; media-src 'self' blob: https: http:; \
     connect-src 'self' http: https:; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Adds the headers to a page's response (a handler's own CSP, if any, is kept).
pub async fn headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers
        .entry(CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(POLICY));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
