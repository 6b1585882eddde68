//! A host app's page on another origin than muxd: a tiny axum server on its own 127.0.0.1 port
//! serving one HTML page, its module script and its style (`host_page/`). The page loads
//! `<muxd-uploader>` from muxd and fills in muxd's URL, a campaign and the app's token; its
//! script signs in to muxd and follows the live stream. It carries a strict Content-Security-Policy
//! of its own, as a careful host app would: no inline code, scripts from itself and muxd, calls
//! to muxd and the upload host only, posters and video from Mux's (here the emulator's) host.

use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

const PAGE: &str = include_str!("host_page/index.html");
const SCRIPT: &str = include_str!("host_page/host.js");
const STYLE: &str = include_str!("host_page/host.css");

/// What the page embeds.
#[derive(Clone)]
pub struct Embed {
    /// muxd's base URL (`api-base`, and where the uploader's module comes from).
    pub muxd: String,
    /// The host app's id of the campaign uploads go into.
    pub campaign: String,
    /// The signed-in user's token from the app's identity provider.
    pub token: String,
    /// The origin of Mux's upload URLs (here the emulator's), which the page's CSP lets it PUT to.
    pub upload_origin: String,
}

/// A host page's listener, bound before muxd starts so muxd can be told its origin.
pub struct HostPage {
    listener: TcpListener,
    pub origin: String,
}

impl HostPage {
    pub async fn bind() -> HostPage {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        HostPage { listener, origin }
    }

    /// Serves the page embedding `embed` until the test process ends.
    pub fn serve(self, embed: Embed) {
        let page = PAGE
            .replace("{muxd}", &attribute(&embed.muxd))
            .replace("{campaign}", &attribute(&embed.campaign))
            .replace("{token}", &attribute(&embed.token));
        let policy = format!(
            "default-src 'none'; script-src 'self' {muxd}; style-src 'self'; \
             img-src data: {upload}; media-src {upload}; connect-src {muxd} {upload}; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            muxd = embed.muxd,
            upload = embed.upload_origin,
        );
        let html = "text/html; charset=utf-8";
        let js = "text/javascript; charset=utf-8";
        let css = "text/css; charset=utf-8";
        let router = Router::new()
            .route(
                "/",
                get(async move || {
                    (
                        [(CONTENT_TYPE, html), (CONTENT_SECURITY_POLICY, &policy)],
                        page,
                    )
                        .into_response()
                }),
            )
            .route(
                "/host.js",
                get(async move || ([(CONTENT_TYPE, js)], SCRIPT)),
            )
            .route(
                "/host.css",
                get(async move || ([(CONTENT_TYPE, css)], STYLE)),
            );
        tokio::spawn(async move { axum::serve(self.listener, router).await.unwrap() });
    }
}

/// `value` made safe inside a double-quoted HTML attribute.
fn attribute(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
