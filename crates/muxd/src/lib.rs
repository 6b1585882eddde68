//! muxd gets user-uploaded videos into Mux and never loses track of them.
//!
//! # Layout (imports point down this list, never up)
//! - [`cli`]: the `muxd` commands; `main.rs` only parses and dispatches. [`dev`]: `muxd dev`
//!   (emulator in-process, demo data, dev sign-in). [`doctor`]: `muxd doctor`.
//!   [`healthcheck`]: `muxd healthcheck`, a container's readiness probe.
//! - [`app`]: wiring. Builds every service from the settings and serves HTTP with the jobs.
//! - [`web`]: inbound HTTP, by audience; [`web::router`] is the route table.
//! - [`jobs`]: background loops (reconcile, deletions, retention, spare uploads, metrics
//!   upkeep), each a `run_once` step run by one supervisor.
//! - [`service`]: the application layer: uploads, webhook ingestion, resync, adoption, deletion,
//!   edits, playback checks, live fan-out. Each service takes only what it needs.
//! - [`store`]: persistence on SQLite or PostgreSQL behind one API.
//! - [`identity`]: bearer tokens. [`telemetry`]: logs, traces and the metrics recorder.
//! - [`config`]: every setting, validated at start-up.
//! - [`domain`]: the pure rules: ids, statuses, events, the monotonic lifecycle, signatures,
//!   the polling schedule. No I/O.
//!
//! The Mux client and its resilience layer live in the `mux-api` crate; the Mux emulator in
//! `mux-emulator`.

pub mod app;
pub mod cli;
pub mod config;
pub mod dev;
pub mod doctor;
pub mod domain;
pub mod healthcheck;
pub mod identity;
pub mod jobs;
pub mod service;
pub mod store;
pub mod telemetry;
pub mod web;
