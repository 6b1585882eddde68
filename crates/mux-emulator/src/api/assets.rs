//! `/video/v1/assets`: get, list (page/limit or cursor, `upload_id` filter; docs/mux-facts.md §4.2),
//! update (`passthrough`, `meta` only), delete (204).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Authed;
use super::paging::Paged;
use super::path_ids::MuxIdPath;
use super::settings::{validate_meta, validate_passthrough};
use super::{parse_body, ApiError};
use crate::state::model::Render;
use crate::state::AssetQuery;
use crate::state::Emulator;
use crate::tracks;

pub async fn get(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    MuxIdPath(id): MuxIdPath,
) -> Result<Json<Value>, ApiError> {
    let asset = emu.store.asset(&id).ok_or(ApiError::NotFound)?;
    Ok(Json(json!({"data": asset.render(Render::Rest)})))
}

/// Lists newest first. With `cursor` the page continues after that cursor and `page` is ignored;
/// `next_cursor` is `null` on the last page.
pub async fn list(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    paged: Paged,
) -> Result<Json<Value>, ApiError> {
    let upload_id = paged.upload_id.as_deref();
    let asset_query = match paged.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(cursor) => AssetQuery::After {
            cursor: decode_cursor(cursor)?,
            limit: paged.limit,
            upload_id,
        },
        None => AssetQuery::Page {
            page: paged.page,
            limit: paged.limit,
            upload_id,
        },
    };
    let result = emu.store.list_assets(asset_query);
    let data: Vec<Value> = result
        .assets
        .iter()
        .map(|a| a.render(Render::Rest))
        .collect();
    Ok(Json(
        json!({"data": data, "next_cursor": result.next_cursor.map(encode_cursor)}),
    ))
}

fn encode_cursor(seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("asset:{seq}"))
}

fn decode_cursor(cursor: &str) -> Result<u64, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("asset:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| ApiError::InvalidParameters("Invalid cursor".into()))
}

#[derive(Deserialize)]
struct UpdateAsset {
    passthrough: Option<Value>,
    meta: Option<Value>,
}

pub async fn update(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    MuxIdPath(id): MuxIdPath,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let req: UpdateAsset = parse_body(&body)?;
    let passthrough = (req.passthrough.as_ref().map(validate_passthrough))
        .transpose()?
        .map(str::to_owned);
    if let Some(meta) = &req.meta {
        validate_meta(meta)?;
    }
    let ((), asset) = emu
        .store
        .update_asset(&id, |a| {
            if let Some(p) = passthrough {
                a.passthrough = Some(p);
            }
            if let Some(m) = req.meta {
                a.meta = Some(m);
            }
        })
        .ok_or(ApiError::NotFound)?;
    emu.emit_asset("video.asset.updated", &asset);
    Ok(Json(json!({"data": asset.render(Render::Rest)})))
}

pub async fn delete(
    _: Authed,
    State(emu): State<Arc<Emulator>>,
    MuxIdPath(id): MuxIdPath,
) -> Result<StatusCode, ApiError> {
    let asset = emu.store.remove_asset(&id).ok_or(ApiError::NotFound)?;
    if let Err(e) = tokio::fs::remove_file(emu.media_path(&asset)).await {
        tracing::debug!(error = %e, "asset file already gone");
    }
    tracks::remove_all_files(&emu, &asset).await;
    emu.emit_asset("video.asset.deleted", &asset);
    Ok(StatusCode::NO_CONTENT)
}
