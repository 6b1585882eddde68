//! The Mux REST API: on `/video/v1` (docs/mux-facts.md §2, §4) uploads, assets (also made from a
//! URL), playback ids, text tracks; on
//! `/system/v1` signing keys (also at their older `/video/v1` address).
//!
//! Handlers take an `Authed` (Basic auth) and parse their own bodies so that malformed JSON and
//! bad values become Mux-shaped 400s rather than axum's plain-text rejections. Unknown request
//! fields are ignored.

mod assets;
mod auth;
mod create_asset;
mod error;
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
use serde::Deserialize;

use crate::state::ids::is_well_formed;
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

/// Rejects ids that could not be Mux ids with Mux's "Failed to parse ID" (docs/mux-facts.md §1.3).
fn check_id(id: &str) -> Result<(), ApiError> {
    if is_well_formed(id) {
        Ok(())
    } else {
        Err(ApiError::bad_id())
    }
}

/// `?page=&limit=` as strings, so that bad numbers get a Mux 400 instead of axum's.
#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    page: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
    upload_id: Option<String>,
}

/// Default `limit` 25 (the spec and SDKs; the docs page says 10, docs/mux-facts.md §4.2), max 100.
const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 100;

impl PageQuery {
    fn page_and_limit(&self) -> Result<(usize, usize), ApiError> {
        let page = parse_positive("page", self.page.as_deref(), 1)?;
        let limit = parse_positive("limit", self.limit.as_deref(), DEFAULT_LIMIT)?;
        if limit > MAX_LIMIT {
            return Err(ApiError::InvalidParameters(format!(
                "limit must be at most {MAX_LIMIT}"
            )));
        }
        Ok((page, limit))
    }
}

fn parse_positive(name: &str, value: Option<&str>, default: usize) -> Result<usize, ApiError> {
    match value {
        None => Ok(default),
        Some(v) => v.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            ApiError::InvalidParameters(format!("{name} must be a positive integer"))
        }),
    }
}
