//! muxd gets user-uploaded videos into Mux and never loses track of them.
//!
//! # Layout
//! - [`config`]: every setting, validated at start-up.
//! - [`domain`]: the pure rules: ids, statuses, events, the monotonic lifecycle.
//! - [`store`]: persistence on SQLite or PostgreSQL behind one API.
//! - [`cli`]: the `muxd` commands; `main.rs` only parses and dispatches.
//!
//! The Mux client and its resilience layer live in the `mux-api` crate; the Mux emulator in
//! `mux-emulator`.

pub mod cli;
pub mod config;
pub mod domain;
pub mod store;
