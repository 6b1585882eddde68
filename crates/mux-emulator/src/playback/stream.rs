//! The stream host (docs/mux-facts.md §4.4), with the token check of signed ids (audience `v`):
//!
//! - `GET /stream/{playback_id}.m3u8`: 404 for unknown ids, 412 until the asset is ready (also
//!   when errored, as measured on Mux), then a 302 redirect to the MP4 below, carrying the
//!   token of a signed id along. The emulator does not transcode, so it serves no real HLS;
//!   players that accept progressive MP4 follow the redirect.
//! - `GET /stream/{playback_id}/{highest.mp4|capped-1080p.mp4|audio.m4a|720p.mp4|…}`: the
//!   uploaded file itself with its content type and `Range` support (via tower-http's
//!   `ServeFile`). Unlike Mux these exist whether or not static renditions were requested.
//!   `?download=<name>` makes it an attachment of that name.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use super::access::Audience;
use super::{grant, ready_to_stream, PlaybackError, TokenQuery};
use crate::state::Emulator;

const RENDITIONS: [&str; 14] = [
    "highest.mp4",
    "capped-1080p.mp4",
    "audio.m4a",
    "low.mp4",
    "medium.mp4",
    "high.mp4",
    "2160p.mp4",
    "1440p.mp4",
    "1080p.mp4",
    "720p.mp4",
    "540p.mp4",
    "480p.mp4",
    "360p.mp4",
    "270p.mp4",
];

fn token(
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> Result<Option<String>, PlaybackError> {
    let Query(query) = query.map_err(|e| PlaybackError::InvalidParameter(e.body_text()))?;
    Ok(query.token)
}

pub async fn hls(
    State(emu): State<Arc<Emulator>>,
    Path(file): Path<String>,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> Result<Response, PlaybackError> {
    let playback_id = file.strip_suffix(".m3u8").ok_or(PlaybackError::NotFound)?;
    let granted = ready_to_stream(grant(&emu, playback_id, Audience::Video, token(query)?)?)?;
    let location = format!("/stream/{playback_id}/highest.mp4{}", granted.token_query());
    let location = HeaderValue::try_from(location).map_err(|_| PlaybackError::NotFound)?;
    Ok((StatusCode::FOUND, [(header::LOCATION, location)]).into_response())
}

/// `?token=` and `?download=<file name>` of a rendition.
#[derive(Debug, Default, Deserialize)]
pub struct RenditionQuery {
    token: Option<String>,
    download: Option<String>,
}

pub async fn rendition(
    State(emu): State<Arc<Emulator>>,
    Path((playback_id, file)): Path<(String, String)>,
    query: Result<Query<RenditionQuery>, QueryRejection>,
    request: Request,
) -> Result<Response, PlaybackError> {
    if !RENDITIONS.contains(&file.as_str()) {
        return Err(PlaybackError::NotFound);
    }
    let Query(query) = query.map_err(|e| PlaybackError::InvalidParameter(e.body_text()))?;
    let disposition = query.download.as_deref().map(attachment).transpose()?;
    let granted = ready_to_stream(grant(&emu, &playback_id, Audience::Video, query.token)?)?;
    let asset = granted.asset;
    let Some(media) = asset.media.as_ref() else {
        return Err(PlaybackError::NotFound);
    };
    let served = ServeFile::new(emu.media_path(&asset))
        .oneshot(request)
        .await;
    let mut response = match served {
        Ok(r) => r.into_response(),
        Err(e) => match e {},
    };
    if response.status().is_success() {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(media.content_type()),
        );
        if let Some(disposition) = disposition {
            (response.headers_mut()).insert(header::CONTENT_DISPOSITION, disposition);
        }
    }
    Ok(response)
}

/// `attachment; filename="<name>"` for `?download=<name>` (docs/mux-facts.md §4.4), quotes and
/// backslashes escaped; a non-ASCII name also as `filename*` (RFC 6266), with `_` for those
/// characters in the plain one. Empty names and control characters are a bad parameter.
fn attachment(name: &str) -> Result<HeaderValue, PlaybackError> {
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(PlaybackError::InvalidParameter(
            "download must be a file name without control characters".into(),
        ));
    }
    let plain: String = name
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let mut value = format!("attachment; filename=\"{plain}\"");
    if !name.is_ascii() {
        let encoded: String = name
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                b => format!("%{b:02X}"),
            })
            .collect();
        value.push_str(&format!("; filename*=UTF-8''{encoded}"));
    }
    HeaderValue::try_from(value)
        .map_err(|_| PlaybackError::InvalidParameter("download is not a usable file name".into()))
}
