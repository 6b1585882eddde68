//! `POST /video/v1/assets` (docs/mux-facts.md §4.1): an asset made from the URL of its first
//! input (`inputs`, or the deprecated `input`: the same array, or a single URL string), with the
//! settings an upload's `new_asset_settings` takes, checked alike; generated captions may be
//! asked for on that input (`generated_subtitles`, docs/mux-facts.md §10). 201 `preparing`; the download
//! and processing follow in the background (`ingest`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use reqwest::Url;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::auth::Authed;
use super::settings::validate_settings;
use super::{parse_body, ApiError};
use crate::ingest;
use crate::processing::new_asset;
use crate::state::model::Render;
use crate::state::text_tracks::generated_on_inputs;
use crate::state::Emulator;
use crate::tracks;

#[derive(Deserialize)]
struct CreateAsset {
    inputs: Option<Value>,
    input: Option<Value>,
    #[serde(flatten)]
    settings: Map<String, Value>,
}

pub async fn create(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let req: CreateAsset = parse_body(&body)?;
    let url = input_url(req.inputs.as_ref(), req.input.as_ref())?;
    let generated = generated_on_inputs(req.inputs.as_ref().or(req.input.as_ref()))
        .map_err(ApiError::InvalidParameters)?;
    let settings = validate_settings(req.settings)?;
    let mut asset = new_asset(&emu, emu.ids.mux_id(), &settings, false, None);
    asset.input_url = Some(url.clone());
    asset.text_tracks = (generated.iter())
        .map(|r| r.track(emu.ids.mux_id()))
        .collect();
    emu.store.insert_asset(asset.clone());
    emu.emit_asset("video.asset.created", &asset);
    tracks::announce_created(&emu, &asset);
    ingest::fetch_and_process(&emu, asset.id.clone(), url);
    Ok((
        StatusCode::CREATED,
        Json(json!({"data": asset.render(Render::Rest)})),
    ))
}

/// The first input's URL, which must be absolute http(s); 400 naming the field otherwise.
fn input_url(inputs: Option<&Value>, input: Option<&Value>) -> Result<String, ApiError> {
    let (field, value) = match (inputs, input) {
        (Some(v), _) => ("inputs", v),
        (None, Some(v)) => ("input", v),
        (None, None) => {
            return Err(ApiError::InvalidParameters(
                "inputs is required: an array of {url}".into(),
            ))
        }
    };
    let (name, url) = match value {
        Value::String(url) if field == "input" => (field.to_owned(), Some(url.as_str())),
        Value::Array(items) if !items.is_empty() => (
            format!("{field}[0].url"),
            items[0].get("url").and_then(Value::as_str),
        ),
        _ => {
            return Err(ApiError::InvalidParameters(format!(
                "{field} must be a non-empty array of {{url}}"
            )))
        }
    };
    url.and_then(|u| Url::parse(u).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .map(String::from)
        .ok_or_else(|| {
            ApiError::InvalidParameters(format!("{name} must be an absolute http or https URL"))
        })
}
