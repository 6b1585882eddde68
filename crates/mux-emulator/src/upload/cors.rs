//! CORS for upload URLs (docs/mux-facts.md §3.3): the upload's `cors_origin` (or `*`) may PUT with
//! `Content-Type` and `Content-Range`, and may read `Range` (upchunk issue #156 was a host that
//! sent `Range` without exposing it).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::state::Emulator;

/// Headers for a response to `request_origin`, given the upload's configured origin.
pub fn headers(cors_origin: Option<&str>, request_origin: Option<&HeaderValue>) -> HeaderMap {
    let mut h = HeaderMap::new();
    let allowed = match (cors_origin, request_origin) {
        (Some("*"), _) => Some(HeaderValue::from_static("*")),
        (Some(allowed), Some(origin))
            if origin
                .to_str()
                .is_ok_and(|o| o.trim_end_matches('/') == allowed.trim_end_matches('/')) =>
        {
            h.insert("vary", HeaderValue::from_static("Origin"));
            Some(origin.clone())
        }
        _ => None,
    };
    if let Some(origin) = allowed {
        h.insert("access-control-allow-origin", origin);
        h.insert(
            "access-control-expose-headers",
            HeaderValue::from_static("Range"),
        );
    }
    h
}

pub async fn preflight(
    State(emu): State<Arc<Emulator>>,
    Path(id): Path<String>,
    request: HeaderMap,
) -> Response {
    let Some(upload) = emu.store.upload(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut h = headers(upload.cors_origin.as_deref(), request.get("origin"));
    if h.contains_key("access-control-allow-origin") {
        h.insert(
            "access-control-allow-methods",
            HeaderValue::from_static("PUT, POST, PATCH, OPTIONS"),
        );
        h.insert(
            "access-control-allow-headers",
            HeaderValue::from_static("Content-Type, Content-Range"),
        );
        h.insert("access-control-max-age", HeaderValue::from_static("3600"));
    }
    (StatusCode::NO_CONTENT, h).into_response()
}
