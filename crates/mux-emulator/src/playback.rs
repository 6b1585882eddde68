//! Playback of uploaded media, so pages can play it offline (mux-api.md §4.4).
//!
//! - `GET /stream/{playback_id}.m3u8`: 404 for unknown ids, 412 until the asset is ready (also
//!   when errored, as measured on Mux), then a 302 redirect to the MP4 below. The emulator does
//!   not transcode, so it serves no real HLS; players that accept progressive MP4 follow the
//!   redirect.
//! - `GET /stream/{playback_id}/{highest.mp4|capped-1080p.mp4|audio.m4a|…}`: the uploaded file
//!   itself with its content type and `Range` support (via tower-http's `ServeFile`). Unlike Mux
//!   these exist whether or not static renditions were requested.
//!
//! Signed playback ids are served without a token check.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::state::model::{Asset, AssetStatus};
use crate::state::Emulator;

const RENDITIONS: [&str; 6] = [
    "highest.mp4",
    "capped-1080p.mp4",
    "audio.m4a",
    "low.mp4",
    "medium.mp4",
    "high.mp4",
];

pub fn routes() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/stream/{file}", get(hls))
        .route("/stream/{playback_id}/{file}", get(rendition))
}

/// Why a stream request cannot be served.
enum StreamError {
    /// Unknown or deleted playback id: 404 `{"code":5,"message":"Not Found"}` (mux-api.md §4.4).
    NotFound,
    /// The asset is preparing or errored: 412.
    NotReady,
}

impl IntoResponse for StreamError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            StreamError::NotFound => (
                StatusCode::NOT_FOUND,
                json!({"code": 5, "message": "Not Found"}),
            ),
            StreamError::NotReady => (
                StatusCode::PRECONDITION_FAILED,
                json!({"code": 9, "message": "The asset is not ready"}),
            ),
        };
        (status, Json(body)).into_response()
    }
}

fn ready_asset(emu: &Emulator, playback_id: &str) -> Result<Asset, StreamError> {
    let asset = emu
        .store
        .asset_by_playback_id(playback_id)
        .ok_or(StreamError::NotFound)?;
    if asset.status == AssetStatus::Ready {
        Ok(asset)
    } else {
        Err(StreamError::NotReady)
    }
}

async fn hls(State(emu): State<Arc<Emulator>>, Path(file): Path<String>) -> Response {
    let Some(playback_id) = file.strip_suffix(".m3u8") else {
        return StreamError::NotFound.into_response();
    };
    match ready_asset(&emu, playback_id) {
        Ok(_) => Redirect::to(&format!("/stream/{playback_id}/highest.mp4")).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn rendition(
    State(emu): State<Arc<Emulator>>,
    Path((playback_id, file)): Path<(String, String)>,
    request: Request,
) -> Response {
    if !RENDITIONS.contains(&file.as_str()) {
        return StreamError::NotFound.into_response();
    }
    let asset = match ready_asset(&emu, &playback_id) {
        Ok(asset) => asset,
        Err(e) => return e.into_response(),
    };
    let (Some(upload_id), Some(media)) = (asset.upload_id.as_deref(), asset.media.as_ref()) else {
        return StreamError::NotFound.into_response();
    };
    let served = ServeFile::new(emu.upload_path(upload_id))
        .oneshot(request)
        .await;
    let mut response = match served {
        Ok(r) => r.into_response(),
        Err(e) => match e {},
    };
    if response.status().is_success() {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(media.content_type()),
        );
    }
    response
}
