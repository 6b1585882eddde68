//! Text track files on the stream host (docs/mux-facts.md §10), with the token check of signed
//! ids (audience `v`, as for the stream itself):
//!
//! - `GET /stream/{playback_id}/text/{track_id}.vtt`: the track's cues as WebVTT (`text/vtt`).
//! - `GET /stream/{playback_id}/text/{track_id}.txt`: the cue texts, one per line (`text/plain`).
//!
//! 404 for a track that is not the asset's, or not ready.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::access::Audience;
use super::{grant, ready_to_stream, PlaybackError, TokenQuery};
use crate::captions_parse;
use crate::state::text_tracks::TrackStatus;
use crate::state::Emulator;

pub async fn serve(
    State(emu): State<Arc<Emulator>>,
    Path((playback_id, file)): Path<(String, String)>,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> Result<Response, PlaybackError> {
    let (track_id, plain) = match (file.strip_suffix(".vtt"), file.strip_suffix(".txt")) {
        (Some(id), _) => (id, false),
        (_, Some(id)) => (id, true),
        _ => return Err(PlaybackError::NotFound),
    };
    let Query(query) = query.map_err(|e| PlaybackError::InvalidParameter(e.body_text()))?;
    let granted = ready_to_stream(grant(&emu, &playback_id, Audience::Video, query.token)?)?;
    let ready = (granted.asset.text_tracks.iter())
        .any(|t| t.id == track_id && t.status == TrackStatus::Ready);
    if !ready {
        return Err(PlaybackError::NotFound);
    }
    let vtt = tokio::fs::read_to_string(emu.track_path(track_id))
        .await
        .map_err(|_| PlaybackError::NotFound)?;
    let (body, content_type) = if plain {
        let cues = captions_parse::parse(&vtt).map_err(|_| PlaybackError::NotFound)?;
        (captions_parse::to_text(&cues), "text/plain; charset=utf-8")
    } else {
        (vtt, "text/vtt")
    };
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response())
}
