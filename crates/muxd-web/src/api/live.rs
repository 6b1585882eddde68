//! `GET /api/live`: a server-sent-events stream of the caller's asset changes. Each event is the
//! asset's full current view (so duplicates are harmless) with `id` = its `updatedAt` in unix ms.
//! A reconnect sends `Last-Event-ID` (or `?since=`) and first gets every asset changed since then,
//! minus a safety margin for writers that committed late; nothing in between is missed because
//! the subscription starts before that catch-up read. The stream ends when the credential that
//! opened it expires; the browser's EventSource reconnects with the fresh one it holds by then.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;

use crate::auth::CurrentUser;
use crate::error::ErrorBody;
use crate::extract::ApiQuery;
use crate::openapi::responses::{DatabaseDown, NotSignedIn};
use crate::views::Links;
use crate::ApiError;
use muxd_core::service::asset_reads::AssetReads;
use muxd_core::service::live::{AssetChanged, LiveHub};
use muxd_core::service::live_streams::{LiveStreams, StreamSlot};
use muxd_store::assets::CreativeAsset;
use muxd_store::User;

/// How far before the resume point the catch-up read starts.
const RESUME_MARGIN_MS: i64 = 5_000;
/// The wait a refused stream is told (pages poll meanwhile, and reconnect with backoff).
const STREAM_RETRY_SECS: u64 = 10;
/// How soon a page reconnects (to another instance) when this one shuts down.
const RECONNECT_AFTER: Duration = Duration::from_millis(500);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LiveQuery {
    /// Resume from this event id (unix ms), like `Last-Event-ID`.
    pub since: Option<i64>,
}

fn event(links: &Links, asset: &CreativeAsset) -> Event {
    Event::default()
        .event("asset")
        .id(asset.updated_at.to_string())
        .json_data(links.view(asset))
        .unwrap_or_else(|_| Event::default().event("error"))
}

struct Live {
    links: Links,
    hub: LiveHub,
    reads: AssetReads,
    user: User,
    rx: tokio::sync::broadcast::Receiver<AssetChanged>,
    resyncs: tokio::sync::watch::Receiver<u64>,
    queue: VecDeque<Event>,
    /// This stream's place under the bounds, freed when the stream ends.
    _slot: StreamSlot,
    /// The last event has been sent.
    ended: bool,
    /// Fires when the credential that opened the stream expires.
    expires: Pin<Box<tokio::time::Sleep>>,
}

/// The caller's asset changes, as server-sent events.
///
/// First `ready`, then one `asset` event per change (data: the `AssetView`; id: its `updatedAt`
/// in unix ms), and `resync` when the page should reload its list. When the instance shuts
/// down, a last `reconnect` event sets the retry delay short and the stream ends.
#[utoipa::path(
    get,
    path = "/api/live",
    operation_id = "streamLiveChanges",
    tag = "assets",
    params(
        LiveQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "The last event id seen, on reconnect"),
    ),
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "An endless event stream; each `asset` event's data is an AssetView",
            content_type = "text/event-stream", body = String),
        (status = 400, description = "`since` is not a number", body = ErrorBody),
        NotSignedIn,
        (status = 429, description = "Too many live streams open (the caller's, or this server's)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        DatabaseDown,
    )
)]
pub async fn stream(
    State(reads): State<AssetReads>,
    State(live): State<LiveHub>,
    State(streams): State<LiveStreams>,
    State(links): State<Links>,
    CurrentUser(user, expires_at): CurrentUser,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LiveQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let slot = streams
        .open(user.id)
        .map_err(|refused| ApiError::TooManyRequests {
            message: refused.to_string(),
            retry_after_secs: STREAM_RETRY_SECS,
        })?;
    let rx = live.subscribe();
    let resyncs = live.resyncs();
    let since = query
        .since
        .or_else(|| headers.get("last-event-id")?.to_str().ok()?.parse().ok());
    let mut queue = VecDeque::new();
    queue.push_back(Event::default().event("ready").data("{}"));
    if let Some(since) = since {
        for asset in reads
            .changed_since(user.id, since.saturating_sub(RESUME_MARGIN_MS))
            .await?
        {
            queue.push_back(event(&links, &asset));
        }
    }
    let live = Live {
        links,
        hub: live,
        reads,
        user,
        rx,
        resyncs,
        queue,
        _slot: slot,
        ended: false,
        expires: Box::pin(tokio::time::sleep(
            expires_at
                .duration_since(SystemTime::now())
                .unwrap_or_default(),
        )),
    };
    let events = stream::unfold(live, |mut live| async move {
        loop {
            if let Some(next) = live.queue.pop_front() {
                return Some((Ok(next), live));
            }
            if live.ended {
                return None;
            }
            let received = tokio::select! {
                received = live.rx.recv() => received,
                Ok(()) = live.resyncs.changed() => Err(RecvError::Lagged(0)),
                () = live.hub.closed() => {
                    // Shutting down: the page reconnects soon, to an instance that is up.
                    live.ended = true;
                    let bye = Event::default().event("reconnect").retry(RECONNECT_AFTER).data("{}");
                    return Some((Ok(bye), live));
                }
                () = &mut live.expires => return None,
            };
            match received {
                Ok(change) if change.owner_id == live.user.id => {
                    if let Ok(asset) = live.reads.any(change.asset_id).await {
                        live.queue.push_back(event(&live.links, &asset));
                    }
                }
                Ok(_) => {}
                // Fell behind, or another instance's changes may be missed: tell the page to
                // reload its list rather than miss changes.
                Err(RecvError::Lagged(_)) => live
                    .queue
                    .push_back(Event::default().event("resync").data("{}")),
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
