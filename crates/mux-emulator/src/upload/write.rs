//! Writing request bodies to the upload's file, streaming, never holding a whole body.

use axum::body::Body;
use axum::http::StatusCode;
use futures_util::StreamExt;
use tokio::fs::OpenOptions;
use tokio::io::{AsyncSeekExt, AsyncWriteExt, BufWriter};

use super::{Answer, Progress, Refusal};
use crate::app::Emulator;

/// Writes are batched into blocks of this size before they reach the disk.
const WRITE_BUFFER: usize = 1 << 20;

/// A PUT without `Content-Range`: the body is the whole file (mux-api.md §3.1).
pub(super) async fn whole(
    emu: &Emulator,
    id: &str,
    progress: &mut Progress,
    body: Body,
) -> Result<Answer, Refusal> {
    if progress.complete {
        return Ok(Answer::Done);
    }
    // Whatever arrived before is replaced: the file restarts at byte 0.
    *progress = Progress::default();
    let written = stream_at(emu, id, 0, None, body).await?;
    *progress = Progress {
        received: written,
        total: Some(written),
        last_chunk_start: 0,
        complete: true,
    };
    Ok(Answer::Done)
}

/// A PUT with `Content-Range: bytes start-end/total` (mux-api.md §3.2).
pub(super) async fn chunk(
    emu: &Emulator,
    id: &str,
    progress: &mut Progress,
    (start, end, total): (u64, u64, u64),
    body: Body,
) -> Result<Answer, Refusal> {
    let received = progress.received;
    let refuse = |message: String| Err(Refusal(StatusCode::BAD_REQUEST, message, Some(received)));
    if progress.total.is_some_and(|t| t != total) {
        return refuse(format!(
            "total size changed from {} to {total}",
            progress.total.unwrap_or(0)
        ));
    }
    let is_resend = received > 0 && start == progress.last_chunk_start && end + 1 == received;
    if progress.complete {
        return if is_resend {
            Ok(Answer::Done)
        } else {
            refuse("the upload is already complete".into())
        };
    }
    if start != received && !is_resend {
        let what = if start > received {
            "a gap"
        } else {
            "an overlap"
        };
        return refuse(format!(
            "chunk starts at byte {start} but {received} bytes have arrived ({what}); resend from byte {received}"
        ));
    }
    if is_resend {
        // The last chunk is written again in place; until it succeeds it counts as not arrived.
        tracing::debug!(upload.id = id, start, "resent chunk rewritten");
        progress.received = start;
    }
    let expected = end - start + 1;
    let written = stream_at(emu, id, start, Some(expected), body)
        .await
        .map_err(|Refusal(s, m, _)| Refusal(s, m, Some(start)))?;
    debug_assert_eq!(written, expected);
    progress.received = end + 1;
    progress.total = Some(total);
    progress.last_chunk_start = start;
    progress.complete = end + 1 == total;
    Ok(if progress.complete {
        Answer::Done
    } else {
        Answer::Incomplete(end + 1)
    })
}

/// Streams `body` into the file at `offset`, cutting the file to `offset` first. With `expected`,
/// the body must be exactly that long. On any failure the file is cut back to `offset`.
async fn stream_at(
    emu: &Emulator,
    id: &str,
    offset: u64,
    expected: Option<u64>,
    body: Body,
) -> Result<u64, Refusal> {
    let path = emu.upload_path(id);
    let io = |e: std::io::Error| {
        Refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("storage error: {e}"),
            None,
        )
    };
    let mut file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(&path)
        .await
        .map_err(io)?;
    file.set_len(offset).await.map_err(io)?;
    file.seek(std::io::SeekFrom::Start(offset))
        .await
        .map_err(io)?;
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, file);
    let mut stream = body.into_data_stream();
    let mut written = 0u64;
    let mut failure = None;
    while let Some(frame) = stream.next().await {
        match frame {
            Ok(bytes) => {
                written += bytes.len() as u64;
                if expected.is_some_and(|n| written > n) {
                    failure = Some(format!(
                        "the chunk is longer than its Content-Range ({} bytes)",
                        expected.unwrap_or(0)
                    ));
                    break;
                }
                if let Err(e) = out.write_all(&bytes).await {
                    failure = Some(format!("storage error: {e}"));
                    break;
                }
            }
            Err(e) => {
                failure = Some(format!("the request body ended early: {e}"));
                break;
            }
        }
    }
    if failure.is_none() && expected.is_some_and(|n| written != n) {
        failure = Some(format!(
            "the chunk has {written} bytes but its Content-Range says {}",
            expected.unwrap_or(0)
        ));
    }
    if let Err(e) = out.flush().await {
        failure.get_or_insert(format!("storage error: {e}"));
    }
    let file = out.into_inner();
    if let Some(message) = failure {
        file.set_len(offset).await.map_err(io)?;
        return Err(Refusal(StatusCode::BAD_REQUEST, message, None));
    }
    Ok(written)
}
