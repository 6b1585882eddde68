//! Playback ids under an asset, and `GET /video/v1/playback-ids/{id}` (docs/mux-facts.md §4.1).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Authed;
use super::path_ids::MuxIdPath;
use super::{parse_body, ApiError};
use crate::state::model::{PlaybackId, PLAYBACK_POLICIES};
use crate::state::Emulator;

#[derive(Deserialize)]
struct CreatePlaybackId {
    policy: Option<Value>,
}

pub async fn create(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    MuxIdPath(asset_id): MuxIdPath,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let req: CreatePlaybackId = parse_body(&body)?;
    let policy = match req.policy {
        None => "public".to_owned(),
        Some(Value::String(p)) if PLAYBACK_POLICIES.contains(&p.as_str()) => p,
        Some(_) => {
            return Err(ApiError::InvalidParameters(
                "policy must be public, signed or drm".into(),
            ))
        }
    };
    let playback = PlaybackId {
        id: emu.ids.mux_id(),
        policy,
    };
    emu.store
        .add_playback_id(&asset_id, playback.clone())
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(json!({"data": playback}))))
}

pub async fn get(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    MuxIdPath((asset_id, playback_id)): MuxIdPath<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let asset = emu.store.asset(&asset_id).ok_or(ApiError::NotFound)?;
    let playback = asset
        .playback_ids
        .iter()
        .find(|p| p.id == playback_id)
        .ok_or(ApiError::NotFound)?;
    Ok(Json(json!({"data": playback})))
}

pub async fn delete(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    MuxIdPath((asset_id, playback_id)): MuxIdPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    emu.store
        .remove_playback_id(&asset_id, &playback_id)
        .ok_or(ApiError::NotFound)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn lookup(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    MuxIdPath(playback_id): MuxIdPath,
) -> Result<Json<Value>, ApiError> {
    let asset = emu
        .store
        .asset_by_playback_id(&playback_id)
        .ok_or(ApiError::NotFound)?;
    let playback = asset
        .playback_ids
        .iter()
        .find(|p| p.id == playback_id)
        .ok_or(ApiError::NotFound)?;
    Ok(Json(
        json!({"data": {"id": playback.id, "policy": playback.policy,
        "object": {"type": "asset", "id": asset.id}}}),
    ))
}
