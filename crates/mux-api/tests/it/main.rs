//! One integration binary: the real client over real HTTP against the emulator (and, where the
//! emulator cannot produce a case, a tiny in-test axum fake).

mod api;
mod fake;
mod harness;
mod resilience;
mod tracks;
