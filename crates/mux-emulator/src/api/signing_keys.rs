//! Signing keys (Mux System API, `/system/v1/signing-keys`; the older `/video/v1/signing-keys`
//! answers the same): create (201, the only response carrying `private_key`), get, list
//! (page/limit, newest first), delete (204). Playback tokens signed with a key verify until the
//! key is deleted (`playback::access`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use super::auth::Authed;
use super::paging::Paged;
use super::path_ids::MuxIdPath;
use super::ApiError;
use crate::keypair;
use crate::state::model::SigningKey;
use crate::state::Emulator;

pub async fn create(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let pair = tokio::task::spawn_blocking(keypair::generate)
        .await
        .map_err(|e| internal("the key generation task failed", &e))?
        .map_err(|e| internal("could not generate an RSA key", &e))?;
    let key = SigningKey {
        id: emu.ids.mux_id(),
        created_at: emu.clock.unix_s(),
        public_key_pem: pair.public_pem,
    };
    emu.store.insert_signing_key(key.clone());
    let mut data = key.render();
    data["private_key"] = json!(STANDARD.encode(pair.private_pem));
    Ok((StatusCode::CREATED, Json(json!({"data": data}))))
}

fn internal(what: &str, error: &dyn std::error::Error) -> ApiError {
    tracing::error!(error = %error, "{what}");
    ApiError::Internal
}

pub async fn get(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    MuxIdPath(id): MuxIdPath,
) -> Result<Json<Value>, ApiError> {
    let key = emu.store.signing_key(&id).ok_or(ApiError::NotFound)?;
    Ok(Json(json!({"data": key.render()})))
}

pub async fn list(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    Paged { page, limit, .. }: Paged,
) -> Result<Json<Value>, ApiError> {
    let data: Vec<Value> = (emu.store.list_signing_keys(page, limit).iter())
        .map(SigningKey::render)
        .collect();
    Ok(Json(json!({"data": data})))
}

pub async fn delete(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    MuxIdPath(id): MuxIdPath,
) -> Result<StatusCode, ApiError> {
    emu.store
        .remove_signing_key(&id)
        .ok_or(ApiError::NotFound)?;
    Ok(StatusCode::NO_CONTENT)
}
