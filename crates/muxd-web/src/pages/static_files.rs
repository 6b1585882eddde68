//! `GET /static/{file}`: the pages' scripts and styles, embedded in the binary. The uploader
//! (`muxd-uploader.js` and the `uploader-*.js` modules it imports) is also for host apps' pages
//! on other origins, and a module script from another origin loads only with CORS (each import
//! too): these public files allow any origin
//! (`Access-Control-Allow-Origin: *`, no credentials; for an origin in `MUXD_CORS_ORIGINS` the
//! router's layer names it instead). So an uploader on a page muxd does not allow still loads,
//! and can say in words that muxd refuses its calls; the API is what `MUXD_CORS_ORIGINS` guards.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Embeds `static/<name>` as (name, content type, body).
macro_rules! file {
    ($name:literal, $kind:expr) => {
        ($name, $kind, include_str!(concat!("../../static/", $name)))
    };
}

/// The static files pages load.
const STATIC_FILES: &[(&str, &str, &str)] = &[
    file!("muxd-uploader.js", JS),
    file!("uploader-rules.js", JS),
    file!("uploader-storage.js", JS),
    file!("uploader-transfer.js", JS),
    file!("uploader-element.js", JS),
    file!("uploader-item.js", JS),
    file!("uploader-follow.js", JS),
    file!("uploader-announce.js", JS),
    file!("content.js", JS),
    file!("content-api.js", JS),
    file!("content-card.js", JS),
    file!("content-live.js", JS),
    file!("content-link.js", JS),
    file!("content-captions.js", JS),
    file!("content-search.js", JS),
    file!("content.css", CSS),
    file!("admin.css", CSS),
    file!("admin-common.js", JS),
    file!("admin-assets.js", JS),
    file!("admin-campaigns.js", JS),
    file!("admin-events.js", JS),
    file!("admin-health.js", JS),
    file!("admin-metrics.js", JS),
    file!("admin-sparkline.js", JS),
    file!("admin-webhooks.js", JS),
    file!("admin-deliveries.js", JS),
    file!("api-docs.css", CSS),
];

/// `GET /static/{file}`: one of [`STATIC_FILES`].
pub async fn static_file(Path(name): Path<String>) -> Response {
    match STATIC_FILES.iter().find(|(file, _, _)| *file == name) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "no-cache"),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
