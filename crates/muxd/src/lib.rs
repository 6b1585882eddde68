//! muxd gets user-uploaded videos into Mux and never loses track of them.
//!
//! This crate is the binary and its wiring; the layers are crates of their own, each depending
//! only on those below it (ARCHITECTURE.md draws them):
//! `muxd` (this: [`cli`], [`app`], [`dev`], [`doctor`], [`healthcheck`]) → `muxd-web` (inbound
//! HTTP, pages, the OpenAPI document) → `muxd-core` (settings, identity, telemetry, services,
//! jobs) → `muxd-store` (SQLite and PostgreSQL behind one API) → `muxd-domain` (the pure rules).
//! The Mux client and its resilience layer are `mux-api`; the Mux emulator `mux-emulator`, which
//! only this crate reaches (for `muxd dev` and `muxd emulator`), behind its default feature
//! `emulator`: `cargo build --no-default-features` leaves both commands and the emulator out.
//!
//! - [`cli`]: the `muxd` commands; `main.rs` only parses and dispatches. [`dev`]: `muxd dev`
//!   (emulator in-process, demo data, dev sign-in). [`doctor`]: `muxd doctor`.
//!   [`healthcheck`]: `muxd healthcheck`, a container's readiness probe.
//! - [`app`]: wiring. Builds every service from the settings and serves HTTP with the jobs.

pub mod app;
pub mod cli;
#[cfg(feature = "emulator")]
pub mod dev;
pub mod doctor;
pub mod healthcheck;
