//! Playback of uploaded media, so pages can play it offline (docs/mux-facts.md §4.4): the stream host's
//! `/stream/…` (`stream`; text tracks in `text`) and the image host's `/image/…` (`image`), both under the emulator's
//! base URL.
//!
//! Every request names a playback id: unknown ids are 404. A `signed` id needs a `?token=`
//! whose audience fits the request (`access`); a `public` one ignores any token. Then the asset
//! must be ready: 412 while preparing; once errored, streams stay 412 and images answer 400 (as
//! measured on Mux).

mod access;
mod image;
mod picture;
mod storyboard;
mod stream;
mod text;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::state::model::{Asset, AssetStatus};
use crate::state::Emulator;
use access::{Audience, Denied};

pub fn routes() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/stream/{file}", get(stream::hls))
        .route("/stream/{playback_id}/{file}", get(stream::rendition))
        .route("/stream/{playback_id}/text/{file}", get(text::serve))
        .route("/image/{playback_id}/{file}", get(image::serve))
        .layer(axum::middleware::map_response(any_origin))
}

/// Media is fetched across origins, as from Mux's hosts: a page's `<video crossorigin>` and its
/// caption `<track>`s, or an HLS player's requests, need `Access-Control-Allow-Origin`.
async fn any_origin(mut response: Response) -> Response {
    response.headers_mut().insert(
        axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
        axum::http::HeaderValue::from_static("*"),
    );
    response
}

/// Why a playback request cannot be served.
enum PlaybackError {
    /// Unknown or deleted playback id, or no such file: 404 `{"code":5,"message":"Not Found"}`
    /// (docs/mux-facts.md §4.4).
    NotFound,
    /// The asset is preparing (or, for streams, errored): 412.
    NotReady,
    /// An image of an errored asset: 400.
    Errored,
    /// A query parameter out of range: 400 `{"code":3,"message":"Invalid parameter…"}`.
    InvalidParameter(String),
    /// A signed playback id without a valid token: 403 in the API's error envelope, which is
    /// what the stream host answers with for bad requests (docs/mux-facts.md §1.3), naming the reason.
    Forbidden(Denied),
}

impl IntoResponse for PlaybackError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            PlaybackError::NotFound => (
                StatusCode::NOT_FOUND,
                json!({"code": 5, "message": "Not Found"}),
            ),
            PlaybackError::NotReady => (
                StatusCode::PRECONDITION_FAILED,
                json!({"code": 9, "message": "The asset is not ready"}),
            ),
            PlaybackError::Errored => (
                StatusCode::BAD_REQUEST,
                json!({"code": 3, "message": "Invalid parameter: the asset errored"}),
            ),
            PlaybackError::InvalidParameter(what) => (
                StatusCode::BAD_REQUEST,
                json!({"code": 3, "message": format!("Invalid parameter: {what}")}),
            ),
            PlaybackError::Forbidden(denied) => (
                StatusCode::FORBIDDEN,
                json!({"error": {"type": "forbidden", "messages": [denied.to_string()]}}),
            ),
        };
        (status, Json(body)).into_response()
    }
}

/// `?token=`, the one query parameter every playback request may carry.
#[derive(Debug, Default, Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// A playback id the request may see, with its asset (whatever its status).
struct Granted {
    asset: Asset,
    /// The token that let the request in, for a signed id; passed on in the URLs handed out.
    token: Option<String>,
}

impl Granted {
    /// `?token=…` for URLs handed out from a signed id (a redirect, a storyboard's tiles), or
    /// nothing. A token that passed the check is a JWT, which needs no escaping.
    fn token_query(&self) -> String {
        self.token
            .as_ref()
            .map_or_else(String::new, |t| format!("?token={t}"))
    }
}

/// The asset behind `playback_id` if the request may see it: 404 for unknown ids; for a signed
/// id, 403 unless `token` is valid for it and `audience`.
fn grant(
    emu: &Emulator,
    playback_id: &str,
    audience: Audience,
    token: Option<String>,
) -> Result<Granted, PlaybackError> {
    let asset = emu
        .store
        .asset_by_playback_id(playback_id)
        .ok_or(PlaybackError::NotFound)?;
    let signed = asset
        .playback_ids
        .iter()
        .any(|p| p.id == playback_id && p.policy == "signed");
    if !signed {
        return Ok(Granted { asset, token: None });
    }
    let token = token.filter(|t| !t.is_empty());
    access::check(emu, playback_id, audience, token.as_deref())
        .map_err(PlaybackError::Forbidden)?;
    Ok(Granted { asset, token })
}

/// Streams need a ready asset: 412 otherwise.
fn ready_to_stream(granted: Granted) -> Result<Granted, PlaybackError> {
    match granted.asset.status {
        AssetStatus::Ready => Ok(granted),
        AssetStatus::Preparing | AssetStatus::Errored => Err(PlaybackError::NotReady),
    }
}

/// Images need a ready asset: 412 while preparing, 400 once errored.
fn ready_for_images(granted: Granted) -> Result<Granted, PlaybackError> {
    match granted.asset.status {
        AssetStatus::Ready => Ok(granted),
        AssetStatus::Preparing => Err(PlaybackError::NotReady),
        AssetStatus::Errored => Err(PlaybackError::Errored),
    }
}
