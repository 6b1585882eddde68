//! One integration test binary: drives the emulator over real HTTP, as a Mux client would.

mod assets;
mod control;
mod faults;
mod harness;
mod memory;
mod playback;
mod receiver;
mod restart;
mod uploads;
mod uploads_chunked;
mod webhook_faults;
mod webhooks;
