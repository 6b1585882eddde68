//! Captions of one of the caller's assets (see `service::captions`):
//! `PUT /api/creative-assets/{id}/captions/{language}?name=…` with a WebVTT (`text/vtt`) or SRT
//! (`application/x-subrip`) file as the body, `DELETE` the same path, and
//! `POST …/captions/{language}/generate` for captions Mux makes from the audio. Each answers with
//! the asset as it is after. `GET /captions/{file}.vtt` serves a supplied file to Mux while it
//! fetches it: the name is 32 random bytes and expires within the hour.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::CurrentUser;
use crate::error::ErrorBody;
use crate::extract::CaptionsPath;
use crate::openapi::responses::{
    AssetNotFound, CrossSite, MuxOrDatabaseDownRetry, MuxRefused, NotSignedIn,
};
use crate::views::{AssetView, Links};
use crate::ApiError;
use muxd_core::service::captions::{CaptionTracks, SuppliedFile};
use muxd_domain::captions::{CaptionFormat, MAX_CAPTION_BYTES};
use muxd_domain::AssetId;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupplyQuery {
    /// The name players show in their captions menu (1 to 100 characters); else the language's.
    name: Option<String>,
}

/// Adds (or replaces) the captions of one language with a supplied file.
#[utoipa::path(
    put,
    path = "/api/creative-assets/{id}/captions/{language}",
    operation_id = "putCaptions",
    tag = "assets",
    params(
        ("id" = AssetId, Path, description = "The asset's id"),
        ("language" = String, Path, description = "The captions' language code (`en`, `pt-BR`)"),
        SupplyQuery,
    ),
    request_body(content = String, description = "The caption file (at most 512 KiB of UTF-8)",
        content_type = "text/vtt"),
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "Mux is making the track (`preparing`); the captions of this language it replaces play until it is ready", body = AssetView),
        (status = 400, description = "The language, the name, the type or the file is invalid (the message names the line)", body = ErrorBody),
        NotSignedIn,
        CrossSite,
        AssetNotFound,
        (status = 409, description = "The asset is not READY, or this muxd has no `MUXD_PUBLIC_URL` for Mux to fetch files from", body = ErrorBody),
        (status = 413, description = "The file is larger than 512 KiB", body = ErrorBody),
        MuxRefused,
        MuxOrDatabaseDownRetry,
    )
)]
pub async fn supply(
    State(captions): State<CaptionTracks>,
    State(links): State<Links>,
    CurrentUser(user, _): CurrentUser,
    CaptionsPath { id, language }: CaptionsPath,
    Query(query): Query<SupplyQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<AssetView>, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let format = CaptionFormat::from_content_type(content_type).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "Content-Type {content_type:?} is not a caption file: send text/vtt (WebVTT) or application/x-subrip (SRT)"
        ))
    })?;
    let body = axum::body::to_bytes(body, MAX_CAPTION_BYTES)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    let file = SuppliedFile {
        language,
        name: query.name,
        format,
        body: body.to_vec(),
    };
    let asset = captions
        .supply(&user, id, file)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(links.view(&asset)))
}

/// Deletes the captions of one language.
#[utoipa::path(
    delete,
    path = "/api/creative-assets/{id}/captions/{language}",
    operation_id = "deleteCaptions",
    tag = "assets",
    params(
        ("id" = AssetId, Path, description = "The asset's id"),
        ("language" = String, Path, description = "The captions' language code"),
    ),
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "Deleted; the asset as it is now", body = AssetView),
        (status = 400, description = "The language code is invalid", body = ErrorBody),
        NotSignedIn,
        CrossSite,
        (status = 404, description = "No such asset, not the caller's, or no captions in that language", body = ErrorBody),
        (status = 409, description = "The asset has no Mux asset yet", body = ErrorBody),
        MuxRefused,
        MuxOrDatabaseDownRetry,
    )
)]
pub async fn delete(
    State(captions): State<CaptionTracks>,
    State(links): State<Links>,
    CurrentUser(user, _): CurrentUser,
    CaptionsPath { id, language }: CaptionsPath,
) -> Result<Json<AssetView>, ApiError> {
    let asset = captions
        .remove(&user, id, &language)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(links.view(&asset)))
}

/// Asks Mux to generate captions in one language from the asset's audio.
#[utoipa::path(
    post,
    path = "/api/creative-assets/{id}/captions/{language}/generate",
    operation_id = "generateCaptions",
    tag = "assets",
    params(
        ("id" = AssetId, Path, description = "The asset's id"),
        ("language" = String, Path, description = "The audio's language, one Mux generates captions in (`en`, `es`, `de`, …)"),
    ),
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "Mux is generating them (`preparing`)", body = AssetView),
        (status = 400, description = "Not a language Mux generates captions in", body = ErrorBody),
        NotSignedIn,
        CrossSite,
        AssetNotFound,
        (status = 409, description = "The asset is not READY, has no audio, or has captions in that language", body = ErrorBody),
        MuxRefused,
        MuxOrDatabaseDownRetry,
    )
)]
pub async fn generate(
    State(captions): State<CaptionTracks>,
    State(links): State<Links>,
    CurrentUser(user, _): CurrentUser,
    CaptionsPath { id, language }: CaptionsPath,
) -> Result<Json<AssetView>, ApiError> {
    let asset = captions
        .generate(&user, id, &language)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(links.view(&asset)))
}

/// A supplied caption file, for Mux to fetch (no credentials: its name is the secret).
pub async fn file(
    State(captions): State<CaptionTracks>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let token = name.strip_suffix(".vtt").ok_or(ApiError::NotFound)?;
    let body = captions.file(token).await?.ok_or(ApiError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/vtt; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response())
}
