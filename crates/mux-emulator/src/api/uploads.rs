//! `/video/v1/uploads`: create (201), get, list (page/limit only), cancel (403 unless `waiting`),
//! per docs/mux-facts.md §2.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::auth::Authed;
use super::paging::Paged;
use super::path_ids::MuxIdPath;
use super::settings::validate_settings;
use super::{parse_body, ApiError};
use crate::state::model::{upload_url, Upload, UploadStatus};
use crate::state::Emulator;

/// `timeout` bounds and default (docs/mux-facts.md §2.1).
const DEFAULT_TIMEOUT_S: u64 = 3600;
const MIN_TIMEOUT_S: i64 = 60;
const MAX_TIMEOUT_S: i64 = 604_800;

#[derive(Deserialize)]
struct CreateUpload {
    cors_origin: Option<String>,
    new_asset_settings: Option<Map<String, Value>>,
    timeout: Option<i64>,
    test: Option<bool>,
}

pub async fn create(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let req: CreateUpload = parse_body(&body)?;
    let timeout = req.timeout.unwrap_or(DEFAULT_TIMEOUT_S as i64);
    if !(MIN_TIMEOUT_S..=MAX_TIMEOUT_S).contains(&timeout) {
        return Err(ApiError::InvalidParameters(format!(
            "timeout must be between {MIN_TIMEOUT_S} and {MAX_TIMEOUT_S} seconds"
        )));
    }
    let settings = validate_settings(req.new_asset_settings.unwrap_or_default())?;
    let id = emu.ids.mux_id();
    let token = emu.ids.mux_id();
    let upload = Upload {
        url: upload_url(&emu.base_url, &id, &token),
        id,
        token,
        status: UploadStatus::Waiting,
        timeout_s: timeout as u64,
        cors_origin: req.cors_origin,
        new_asset_settings: settings,
        asset_id: None,
        error: None,
        test: req.test.unwrap_or(false),
        created_at: emu.clock.unix_s(),
    };
    emu.store.insert_upload(upload.clone());
    emu.emit_upload("video.upload.created", &upload);
    Ok((StatusCode::CREATED, Json(json!({"data": upload.render()}))))
}

pub async fn get(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    MuxIdPath(id): MuxIdPath,
) -> Result<Json<Value>, ApiError> {
    emu.expire_due();
    let upload = emu.store.upload(&id).ok_or(ApiError::NotFound)?;
    Ok(Json(json!({"data": upload.render()})))
}

pub async fn list(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    Paged { page, limit, .. }: Paged,
) -> Result<Json<Value>, ApiError> {
    emu.expire_due();
    let data: Vec<Value> = emu
        .store
        .list_uploads(page, limit)
        .iter()
        .map(|u| u.render())
        .collect();
    Ok(Json(json!({"data": data})))
}

pub async fn cancel(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    MuxIdPath(id): MuxIdPath,
) -> Result<Json<Value>, ApiError> {
    emu.expire_due();
    let (was, upload) = emu
        .store
        .update_upload(&id, |u| {
            let was = u.status;
            if was == UploadStatus::Waiting {
                u.status = UploadStatus::Cancelled;
            }
            was
        })
        .ok_or(ApiError::NotFound)?;
    if was != UploadStatus::Waiting {
        return Err(ApiError::Forbidden(
            "Cancellation no longer possible".into(),
        ));
    }
    emu.emit_upload("video.upload.cancelled", &upload);
    Ok(Json(json!({"data": upload.render()})))
}
