//! Writing request bodies to the upload's file, streaming, never holding a whole body.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::{Answer, Refusal};
use crate::state::progress::Progress;
use crate::state::Emulator;

/// Small frames are batched into writes of this size; larger ones are written as they are.
const WRITE_BUFFER: usize = 256 << 10;
/// Body frames waiting for the writer thread (each at most the server's 1 MiB read buffer).
const QUEUE_FRAMES: usize = 8;

/// A PUT without `Content-Range`: the body is the whole file (docs/mux-facts.md §3.1).
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

/// A PUT with `Content-Range: bytes start-end/total` (docs/mux-facts.md §3.2).
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
///
/// Frames go through a small bounded queue to a blocking writer thread (at most `QUEUE_FRAMES`
/// frames in memory); `BufWriter` passes frames larger than its buffer straight to the file.
async fn stream_at(
    emu: &Emulator,
    id: &str,
    offset: u64,
    expected: Option<u64>,
    body: Body,
) -> Result<u64, Refusal> {
    let path = emu.upload_path(id);
    let (tx, rx) = mpsc::channel::<Bytes>(QUEUE_FRAMES);
    let writer_path = path.clone();
    let writer = tokio::task::spawn_blocking(move || write_frames(&writer_path, offset, rx));
    let mut stream = body.into_data_stream();
    let mut written = 0u64;
    let mut failure = None;
    while let Some(frame) = stream.next().await {
        let bytes = match frame {
            Ok(bytes) => bytes,
            Err(e) => {
                failure = Some(format!("the request body ended early: {e}"));
                break;
            }
        };
        written += bytes.len() as u64;
        if let Some(n) = expected.filter(|n| written > *n) {
            failure = Some(format!(
                "the chunk is longer than its Content-Range ({n} bytes)"
            ));
            break;
        }
        if tx.send(bytes).await.is_err() {
            break; // the writer stopped; its error is reported below
        }
    }
    drop(tx);
    let stored = writer
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)));
    if let Err(e) = stored {
        failure.get_or_insert(format!("storage error: {e}"));
    }
    if let Some(n) = expected.filter(|n| failure.is_none() && written != *n) {
        failure = Some(format!(
            "the chunk has {written} bytes but its Content-Range says {n}"
        ));
    }
    let Some(message) = failure else {
        return Ok(written);
    };
    let cut = async {
        tokio::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .await?
            .set_len(offset)
            .await
    };
    if let Err(e) = cut.await {
        tracing::warn!(upload.id = id, error = %e, "could not cut a failed chunk off");
    }
    Err(Refusal(StatusCode::BAD_REQUEST, message, None))
}

/// The blocking side of `stream_at`: writes every queued frame at `offset` onwards.
fn write_frames(
    path: &Path,
    offset: u64,
    mut frames: mpsc::Receiver<Bytes>,
) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(path)?;
    file.set_len(offset)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut out = std::io::BufWriter::with_capacity(WRITE_BUFFER, file);
    while let Some(bytes) = frames.blocking_recv() {
        out.write_all(&bytes)?;
    }
    out.flush()
}
