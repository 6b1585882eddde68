//! The Mux REST API: on `/video/v1` (docs/mux-facts.md §2, §4) uploads, assets (also made from a
//! URL), playback ids, text tracks; on
//! `/system/v1` signing keys (also at their older `/video/v1` address).
//!
//! Handlers take an `Authed` (Basic auth), their path's ids as a checked `MuxIdPath`, a list's
//! query as `Paged`, and parse their own bodies so that malformed JSON and bad values become
//! Mux-shaped 400s rather than axum's plain-text rejections. Unknown request fields are ignored.

mod assets;
mod auth;
mod create_asset;
mod error;
mod paging;
mod path_ids;
mod playback_ids;
mod settings;
mod signing_keys;
mod tracks;
mod uploads;

pub use error::ApiError;

use std::sync::Arc;

use axum::routing::{get, put, MethodRouter};
use axum::Router;
use serde::de::DeserializeOwned;

use crate::state::Emulator;

pub fn routes() -> Router<Arc<Emulator>> {
    Router::new()
        .route(
            "/video/v1/uploads",
            get(uploads::list).post(uploads::create),
        )
        .route("/video/v1/uploads/{id}", get(uploads::get))
        .route("/video/v1/uploads/{id}/cancel", put(uploads::cancel))
        .route(
            "/video/v1/assets",
            get(assets::list).post(create_asset::create),
        )
        .route(
            "/video/v1/assets/{id}",
            get(assets::get)
                .patch(assets::update)
                .delete(assets::delete),
        )
        .route(
            "/video/v1/assets/{id}/playback-ids",
            axum::routing::post(playback_ids::create),
        )
        .route(
            "/video/v1/assets/{id}/playback-ids/{playback_id}",
            get(playback_ids::get).delete(playback_ids::delete),
        )
        .route(
            "/video/v1/assets/{id}/tracks",
            axum::routing::post(tracks::create),
        )
        .route(
            "/video/v1/assets/{id}/tracks/{track_id}",
            axum::routing::delete(tracks::delete),
        )
        .route(
            "/video/v1/assets/{id}/tracks/{track_id}/generate-subtitles",
            axum::routing::post(tracks::generate_subtitles),
        )
        .route(
            "/video/v1/playback-ids/{playback_id}",
            get(playback_ids::lookup),
        )
        .route("/system/v1/signing-keys", signing_key_list())
        .route("/system/v1/signing-keys/{id}", signing_key_one())
        .route("/video/v1/signing-keys", signing_key_list())
        .route("/video/v1/signing-keys/{id}", signing_key_one())
}

/// `/signing-keys`: create, list (under both of its addresses).
fn signing_key_list() -> MethodRouter<Arc<Emulator>> {
    get(signing_keys::list).post(signing_keys::create)
}

/// `/signing-keys/{id}`: get, delete.
fn signing_key_one() -> MethodRouter<Arc<Emulator>> {
    get(signing_keys::get).delete(signing_keys::delete)
}

/// Parses a JSON body; an empty body counts as `{}`.
fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| ApiError::InvalidParameters(format!("Invalid request body: {e}")))
}
