//! The application layer: what muxd does, between the ways in (`web`, `jobs`, the CLI) and what
//! it builds on (`store`, `domain`, the `mux-api` client). Each service is a small cheap-to-clone
//! value holding only the dependencies it needs; `app.rs` wires them.
//!
//! - [`uploads`]: create a direct upload and its row, with compensation when Mux fails, at most
//!   so many per user a minute (counted in the database); [`pool`]: spare uploads for bursts of
//!   users; [`links`]: a video Mux makes from a link, checked first ([`link_probe`]); `unsent`:
//!   settling creates that never recorded where their file comes from.
//! - [`ingest`]: verified webhooks stored and applied in one transaction; replay.
//! - [`sync`]: reading one asset from Mux and applying what it says (admin resync, reconciler);
//!   [`adopt`]: bringing an asset made outside muxd under its management, once.
//! - [`deletion`]: an owner's delete, and finishing it on Mux. [`replace`]: a new file for an
//!   asset, played once ready, the old Mux asset then deleted.
//! - [`assets`]: an owner's edits, so many per user a minute ([`rate_limit`]);
//!   [`asset_reads`]: lists, search and one asset, as owners and admins read them.
//!   [`playback`]: checking and repairing playback ids.
//! - [`live`]: in-process fan-out of committed changes to live pages; [`live_bridge`]: the same
//!   across instances with PostgreSQL LISTEN/NOTIFY; [`live_streams`]: how many streams may be
//!   open, per user and in all.
//! - [`webhook_stats`]: webhook figures for health; [`health_figures`]: health's database
//!   figures, read at most once a second however many poll, and the gauges alerts use.
//! - [`processing_times`]: how long uploads take to become playable, as a histogram recorded
//!   when an asset turns READY and as a report for admins.
//! - [`retention`]: pruning what has outlived its retention, in small batches.
//! - [`captions`]: captions an owner supplies, removes or has Mux generate; the captions job
//!   (`caption_upkeep`) fetches and indexes transcripts of ready tracks for search.
//! - [`campaigns`]: who may use a campaign, where an asset may go; [`app_campaigns`]: the host
//!   app's campaigns and influencers. [`limits`]: refusing ready videos over the duration limit.
//!   [`outbound`]: the host app's webhook endpoints, their delivery log and their dispatcher.
//!
//! A request a service refuses, or cannot carry out, is a [`Refusal`]: one set of reasons the web
//! turns into one set of answers.

pub mod adopt;
pub mod app_campaigns;
pub mod asset_reads;
pub mod assets;
pub mod campaigns;
mod caption_upkeep;
pub mod captions;
pub mod deletion;
mod direct_upload;
pub mod health_figures;
pub mod ingest;
pub mod limits;
pub mod link_probe;
pub mod links;
pub mod live;
pub mod live_bridge;
pub mod live_streams;
pub mod outbound;
pub mod playback;
pub mod pool;
pub mod processing_times;
pub mod rate_limit;
pub mod replace;
pub mod retention;
pub mod sync;
mod unsent;
pub mod uploads;
pub mod webhook_stats;

use std::time::Duration;

use mux_api::MuxError;

use muxd_store::StoreError;

/// Why a service refused a request, or could not do it: one set of answers the web turns into
/// 400, 404, 409, 429, and (database or Mux down) 503 or 502.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The input breaks a rule; the message is a sentence for the user, naming the field.
    #[error("{0}")]
    Invalid(String),
    /// No such thing, or not the caller's.
    #[error("not found")]
    NotFound,
    /// The thing cannot do that now; the message says why.
    #[error("{0}")]
    Conflict(String),
    /// The caller did `what` too often; try again after `wait`.
    #[error("too many {what} at once; try again in {} s", .wait.as_secs().max(1))]
    TooMany { what: &'static str, wait: Duration },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mux(#[from] MuxError),
}

/// Why a service call failed: the database or Mux.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mux(#[from] MuxError),
}
