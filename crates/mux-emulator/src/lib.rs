//! A stateful, fault-injecting emulator of the Mux Video API, for tests and local development
//! (docs/contract.md §8; the facts it matches are in docs/mux-facts.md).
//!
//! Start one in-process with [`start`] or [`start_on_ephemeral_port`] and talk to it at
//! [`EmulatorHandle::base_url`]; `muxd emulator` runs it alone through [`cli::run`].
//!
//! # Layout
//! Imports point down this list, never up:
//! - **Wiring**: `app` (`start`: builds the state, the router and the background tasks),
//!   `routes` (THE route table), `server` (the accept loop; it can drop connections on purpose),
//!   [`handle`] (`EmulatorHandle`), [`cli`] (`EmulatorArgs` and `run`).
//! - **HTTP**: `api/` (`/video/v1`: uploads, assets, playback ids; `/system/v1`: signing
//!   keys; Basic auth, Mux error envelopes), `upload/` (the upload URL: whole or chunked PUTs
//!   streamed to disk, CORS), `playback/` (`/stream/…` and `/image/…`, tokens of signed playback
//!   ids, generated pictures and storyboards), `control` (`/_emulator`), `gate` (faults, rate
//!   limits and the request log in front of every Mux-facing route).
//! - **Domain operations**: `processing` (upload complete → asset `preparing` → probe →
//!   `ready`/`errored`), `tracks` (text tracks: generated after the asset is ready, supplied
//!   ones fetched and parsed), `dispatch` (sending webhook events with faults and retries).
//! - **Core**: `state` (the shared `Emulator`: store, clock, ids, upload progress, the state
//!   file of a kept data dir, and handles on faults, the webhook queue and the request log).
//!   Knows nothing of HTTP.
//! - **Leaves**: [`config`] (`EmulatorConfig`), [`faults`] (API rules, webhook faults, rate
//!   limits, all seeded), [`probe`] (MP4/MOV via mp4parse, WebM via matroska-demuxer),
//!   [`webhooks`] (envelopes, signatures, the queue and the delivery log), [`request_log`],
//!   `keypair` (RSA keys for signing keys), `png` (a minimal PNG encoder), `captions_parse`
//!   (WebVTT/SRT), [`transcripts`] (the cues of generated captions).

mod api;
mod app;
mod captions_parse;
pub mod cli;
pub mod config;
mod control;
mod dispatch;
pub mod faults;
mod fetch;
mod gate;
pub mod handle;
mod ingest;
mod keypair;
mod playback;
mod png;
pub mod probe;
mod processing;
pub mod request_log;
mod routes;
mod server;
mod state;
mod tracks;
pub mod transcripts;
mod upload;
pub mod webhooks;

pub use app::{start, start_on_ephemeral_port, StartError};
pub use config::EmulatorConfig;
pub use faults::{ApiFaultAction, ApiFaultRule, FaultConfig, WebhookFaults};
pub use handle::EmulatorHandle;
pub use request_log::LoggedRequest;
pub use state::model::{Asset, AssetStatus, PlaybackId, Upload, UploadStatus};
pub use webhooks::{Attempt, Delivery, Outcome};
