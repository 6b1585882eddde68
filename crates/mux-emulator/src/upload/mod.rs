//! The upload URL (`/upload/{id}?token=…`): a whole-file PUT or UpChunk-style chunked PUTs with
//! `Content-Range` (docs/mux-facts.md §3), plus CORS for the upload's `cors_origin` (§3.3).
//!
//! Bytes stream straight to a file in the data dir; memory stays bounded whatever the size.
//! Chunks must arrive in order: a chunk starting where the received bytes end is appended, an
//! exact resend of the last accepted chunk (UpChunk resends whole chunks) is rewritten in place,
//! and anything else (gap, overlap, changed total) is a 400 whose `Range` header says what has
//! arrived. A failed or short chunk is cut off again, so the file never holds a partial chunk.
//!
//! An HTTP layer: it stands on the core (`state`) and hands a complete upload to `processing`.

pub mod content_range;
mod cors;
mod write;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use axum::Router;

use crate::processing;
use crate::state::model::UploadStatus;
use crate::state::progress::Progress;
use crate::state::Emulator;
use content_range::ContentRange;

pub fn routes() -> Router<Arc<Emulator>> {
    Router::new().route(
        "/upload/{id}",
        put(receive)
            .post(receive)
            .patch(receive)
            .options(cors::preflight),
    )
}

/// The CORS headers an answer to `path` owes `origin`, if `path` is an upload URL (none else).
pub fn cors_for(emu: &Emulator, path: &str, origin: Option<&HeaderValue>) -> HeaderMap {
    path.strip_prefix("/upload/")
        .and_then(|id| emu.store.upload(id))
        .map(|upload| cors::headers(upload.cors_origin.as_deref(), origin))
        .unwrap_or_default()
}

/// A refusal: status, message, and optionally the `Range` of what has arrived.
struct Refusal(StatusCode, String, Option<u64>);

async fn receive(
    State(emu): State<Arc<Emulator>>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    emu.expire_due();
    let Some(upload) = emu.store.upload(&id) else {
        return (StatusCode::NOT_FOUND, "no such upload").into_response();
    };
    let cors = cors::headers(upload.cors_origin.as_deref(), headers.get("origin"));
    if query.get("token") != Some(&upload.token) {
        return (StatusCode::FORBIDDEN, cors, "invalid upload token").into_response();
    }
    let refused = match upload.status {
        UploadStatus::Cancelled => Some("the upload was cancelled"),
        UploadStatus::TimedOut => Some("the upload URL has expired (timed_out)"),
        _ => None,
    };
    if let Some(why) = refused {
        return (StatusCode::FORBIDDEN, cors, why).into_response();
    }
    let range = match headers
        .get("content-range")
        .map(|v| v.to_str().map(ContentRange::parse))
    {
        None => None,
        Some(Ok(Ok(range))) => Some(range),
        Some(Ok(Err(e))) => return (StatusCode::BAD_REQUEST, cors, e.to_string()).into_response(),
        Some(Err(_)) => {
            return (StatusCode::BAD_REQUEST, cors, "Content-Range is not ASCII").into_response()
        }
    };
    let progress = emu.progress.of(&id);
    let mut progress = progress.lock().await;
    let result = match range {
        None => write::whole(&emu, &id, &mut progress, body).await,
        Some(ContentRange::Query { .. }) => Ok(query_status(&progress)),
        Some(ContentRange::Chunk { start, end, total }) => {
            write::chunk(&emu, &id, &mut progress, (start, end, total), body).await
        }
    };
    let finished = progress.complete;
    drop(progress);
    match result {
        Ok(Answer::Done) if finished => {
            processing::upload_complete(&emu, &id);
            (StatusCode::OK, cors).into_response()
        }
        Ok(Answer::Done) => (StatusCode::OK, cors).into_response(),
        Ok(Answer::Incomplete(received)) => resume_response(
            StatusCode::PERMANENT_REDIRECT,
            cors,
            String::new(),
            received,
        ),
        Err(Refusal(status, message, received)) => {
            resume_response(status, cors, message, received.unwrap_or(0))
        }
    }
}

/// How a write ended well.
enum Answer {
    /// The whole file is here (or was already).
    Done,
    /// This many bytes are here; send the rest (308).
    Incomplete(u64),
}

fn query_status(progress: &Progress) -> Answer {
    if progress.complete {
        Answer::Done
    } else {
        Answer::Incomplete(progress.received)
    }
}

/// `Range: bytes=0-<received-1>` (none when nothing has arrived), as GCS and Mux send it.
fn resume_response(
    status: StatusCode,
    mut headers: HeaderMap,
    message: String,
    received: u64,
) -> Response {
    if received > 0 {
        let range = format!("bytes=0-{}", received - 1);
        headers.insert(
            "range",
            HeaderValue::from_str(&range).expect("ASCII header"),
        );
    }
    (status, headers, message).into_response()
}
