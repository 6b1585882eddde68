//! muxd's application layer, above the store and the pure rules (`muxd-store`, `muxd-domain`)
//! and below the web (`muxd-web`). Imports point down this list, never up:
//! - [`jobs`]: background loops (reconcile, deletions, retention, spare uploads, captions, metrics
//!   upkeep and the rest of the table in `jobs/mod.rs`), each a step run by one supervisor.
//! - [`service`]: the application layer: uploads, webhook ingestion, resync, adoption, deletion,
//!   edits, campaigns, limits, captions, outbound delivery, playback checks, live fan-out. Each
//!   service takes only what it needs.
//! - [`identity`]: bearer tokens. [`telemetry`]: logs, traces and the metrics recorder.
//! - [`config`]: every setting, validated at start-up.

pub mod config;
pub mod identity;
pub mod jobs;
pub mod service;
pub mod telemetry;
