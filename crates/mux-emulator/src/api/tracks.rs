//! Text tracks of an asset (docs/mux-facts.md §10):
//!
//! - `POST /video/v1/assets/{id}/tracks` `{url, type: "text", text_type: "subtitles",
//!   language_code, name?, closed_captions?, passthrough?}`: 201 with the track `preparing`; the
//!   asset must be ready (400 otherwise). The file is then fetched and parsed (`tracks`).
//! - `POST /video/v1/assets/{id}/tracks/{audio_track_id}/generate-subtitles`
//!   `{generated_subtitles: [...]}`: 201 with the new tracks `preparing`; 404 for an unknown
//!   asset or track, 400 unless the asset is ready and the track is its audio track.
//! - `DELETE /video/v1/assets/{id}/tracks/{track_id}`: 204; only text tracks can be deleted here.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use reqwest::Url;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Authed;
use super::path_ids::check_id;
use super::{parse_body, ApiError};
use crate::state::model::{Asset, AssetStatus};
use crate::state::text_tracks::{
    optional_text, validate_generated, TextSource, TextTrack, TrackStatus,
};
use crate::state::Emulator;
use crate::tracks;

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::InvalidParameters(message.into())
}

/// The asset `id`: 400 for a malformed id, 404 for an unknown one.
fn find_asset(emu: &Emulator, id: &str) -> Result<Asset, ApiError> {
    check_id(id)?;
    emu.store.asset(id).ok_or(ApiError::NotFound)
}

fn require_ready(asset: &Asset) -> Result<(), ApiError> {
    if asset.status == AssetStatus::Ready {
        Ok(())
    } else {
        Err(bad("The asset must be ready before tracks can be added"))
    }
}

pub async fn create(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let asset = find_asset(&emu, &id)?;
    let req: Value = parse_body(&body)?;
    let track = supplied_track(&emu, &req)?;
    require_ready(&asset)?;
    tracks::add_supplied(&emu, &asset.id, track.clone()).ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(json!({"data": track.render()}))))
}

/// The `preparing` track a `POST …/tracks` body asks for.
fn supplied_track(emu: &Emulator, req: &Value) -> Result<TextTrack, ApiError> {
    if req.get("type").and_then(Value::as_str) != Some("text") {
        return Err(bad(
            "type must be text (the emulator adds text tracks only)",
        ));
    }
    if req.get("text_type").and_then(Value::as_str) != Some("subtitles") {
        return Err(bad("text_type must be subtitles"));
    }
    let url = req
        .get("url")
        .and_then(Value::as_str)
        .and_then(|u| Url::parse(u).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or_else(|| bad("url must be an absolute http or https URL"))?;
    let language_code = req
        .get("language_code")
        .and_then(Value::as_str)
        .filter(|l| !l.is_empty() && l.len() <= 35)
        .ok_or_else(|| bad("language_code is required (a BCP 47 language code)"))?;
    let closed_captions = match req.get("closed_captions") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("closed_captions must be a boolean")),
    };
    Ok(TextTrack {
        id: emu.ids.mux_id(),
        text_source: TextSource::Uploaded,
        language_code: language_code.to_owned(),
        name: optional_text(req, "name", 255)
            .map_err(bad)?
            .unwrap_or_else(|| language_code.to_owned()),
        closed_captions,
        passthrough: optional_text(req, "passthrough", 255).map_err(bad)?,
        status: TrackStatus::Preparing,
        url: Some(url.into()),
        error: None,
    })
}

#[derive(Deserialize)]
struct GenerateSubtitles {
    generated_subtitles: Option<Value>,
}

pub async fn generate_subtitles(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    Path((id, track_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let asset = find_asset(&emu, &id)?;
    check_id(&track_id)?;
    let (video, audio) = &asset.track_ids;
    let is_text = asset.text_tracks.iter().any(|t| t.id == track_id);
    if ![video, audio].contains(&&track_id) && !is_text {
        return Err(ApiError::NotFound);
    }
    let req: GenerateSubtitles = parse_body(&body)?;
    let requested = req
        .generated_subtitles
        .ok_or_else(|| bad("generated_subtitles is required"))?;
    let requests = validate_generated(&requested).map_err(bad)?;
    require_ready(&asset)?;
    if asset.audio_track_id() != Some(track_id.as_str()) {
        return Err(bad("Subtitles can only be generated from an audio track"));
    }
    let made = tracks::add_generated(&emu, &asset.id, &requests).ok_or(ApiError::NotFound)?;
    let data: Vec<Value> = made.iter().map(TextTrack::render).collect();
    Ok((StatusCode::CREATED, Json(json!({"data": data}))))
}

pub async fn delete(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    Path((id, track_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let asset = find_asset(&emu, &id)?;
    check_id(&track_id)?;
    let (video, audio) = &asset.track_ids;
    if [video, audio].contains(&&track_id) {
        return Err(bad("The emulator deletes text tracks only"));
    }
    tracks::delete(&emu, &asset.id, &track_id)
        .await
        .ok_or(ApiError::NotFound)?;
    Ok(StatusCode::NO_CONTENT)
}
