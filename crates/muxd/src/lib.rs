//! muxd gets user-uploaded videos into Mux and never loses track of them.
//!
//! # Layout
//! - [`config`]: every setting, validated at start-up.
//! - [`domain`]: the pure rules: ids, statuses, events, the monotonic lifecycle.
//! - [`store`]: persistence on SQLite or PostgreSQL behind one API.
//! - [`ingest`]: verified webhooks stored and applied in one transaction.
//! - [`poll`]: reads of Mux's API turned into the same lifecycle events.
//! - [`pool`]: spare direct uploads for bursts of users.
//! - [`reconcile`]: polling what webhooks missed (sessions, leases, stuck marking).
//! - [`web`]: inbound HTTP; [`web::router`] is the route table.
//! - [`live`]: in-process fan-out of asset changes to live pages.
//! - [`app`]: shared state, the server, background loops; [`housekeeping`]: those loops.
//! - [`identity`]: bearer tokens; [`dev`]: `muxd dev`; [`doctor`]: `muxd doctor`.
//! - [`telemetry`]: log set-up (JSON in production, readable in dev).
//! - [`cli`]: the `muxd` commands; `main.rs` only parses and dispatches.
//!
//! The Mux client and its resilience layer live in the `mux-api` crate; the Mux emulator in
//! `mux-emulator`.

pub mod app;
pub mod cli;
pub mod config;
pub mod dev;
pub mod doctor;
pub mod domain;
pub mod housekeeping;
pub mod identity;
pub mod ingest;
pub mod live;
pub mod poll;
pub mod pool;
pub mod reconcile;
pub mod store;
pub mod telemetry;
pub mod web;
