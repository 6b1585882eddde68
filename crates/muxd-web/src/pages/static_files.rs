//! `GET /static/{file}`: the pages' scripts and styles, embedded in the binary. The uploader is
//! served as one file ([`bundle`](super::bundle): `muxd-uploader.js` with the `uploader-*.js`
//! modules it imports inlined), so a page loads it in one request: at `muxd-uploader.js` (for host
//! apps; revalidated by its `ETag`, a hash of its content) and at `muxd-uploader.<hash>.js` (for
//! muxd's pages; cached for a year, `immutable`, since a new build is a new name). It is also for
//! host apps' pages on other origins, and a module script from another origin loads only with
//! CORS: these public files allow any origin
//! (`Access-Control-Allow-Origin: *`, no credentials; for an origin in `MUXD_CORS_ORIGINS` the
//! router's layer names it instead). So an uploader on a page muxd does not allow still loads,
//! and can say in words that muxd refuses its calls; the API is what `MUXD_CORS_ORIGINS` guards.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::bundle::bundle;

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
    file!("dom.js", JS),
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

/// The uploader as one file: its body, its `ETag` and the name that carries its hash.
pub struct Uploader {
    pub body: String,
    pub etag: String,
    /// `muxd-uploader.<hash>.js`.
    pub hashed_name: String,
}

/// The uploader, bundled once (a unit test holds that it bundles).
pub static UPLOADER: LazyLock<Uploader> = LazyLock::new(|| {
    let (_, _, entry) = STATIC_FILES
        .iter()
        .find(|(name, _, _)| *name == "muxd-uploader.js")
        .expect("the uploader's entry module is embedded");
    let modules: Vec<(&str, &str)> = STATIC_FILES
        .iter()
        .filter(|(name, _, _)| name.ends_with(".js"))
        .map(|(name, _, body)| (*name, *body))
        .collect();
    let body = bundle(entry, &modules).expect("the uploader's modules bundle");
    let hash = hex::encode(&Sha256::digest(body.as_bytes())[..8]);
    Uploader {
        etag: format!("\"{hash}\""),
        hashed_name: format!("muxd-uploader.{hash}.js"),
        body,
    }
});

/// `GET /static/{file}`: the uploader, or one of [`STATIC_FILES`].
pub async fn static_file(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let uploader = &*UPLOADER;
    if name == uploader.hashed_name {
        return (
            [
                (header::CONTENT_TYPE, JS),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            ],
            uploader.body.as_str(),
        )
            .into_response();
    }
    if name == "muxd-uploader.js" {
        let fresh = headers
            .get(header::IF_NONE_MATCH)
            .is_some_and(|tag| tag.as_bytes() == uploader.etag.as_bytes());
        let status = if fresh {
            StatusCode::NOT_MODIFIED
        } else {
            StatusCode::OK
        };
        let body = if fresh { "" } else { uploader.body.as_str() };
        return (
            status,
            [
                (header::CONTENT_TYPE, JS),
                (header::CACHE_CONTROL, "no-cache"),
                (header::ETAG, uploader.etag.as_str()),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            ],
            body,
        )
            .into_response();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uploader_bundles_into_one_module_named_by_its_hash() {
        let uploader = &*UPLOADER;
        assert!(!uploader.body.contains("\nimport "), "an import is left");
        for module in [
            "uploader-rules.js",
            "uploader-element.js",
            "uploader-item.js",
        ] {
            assert!(
                uploader.body.contains(&format!("// {module}\n")),
                "{module} not inlined"
            );
        }
        assert!(uploader
            .body
            .contains("customElements.define(\"muxd-uploader\""));
        assert!(uploader.body.contains("export { MuxdUploader };"));
        let hash = uploader.etag.trim_matches('"');
        assert_eq!(uploader.hashed_name, format!("muxd-uploader.{hash}.js"));
    }
}
