//! One integration test binary: drives the emulator over real HTTP, as a Mux client would.

mod assets;
mod control;
mod faults;
mod harness;
mod images;
mod memory;
mod mux_node_sdk;
mod playback;
mod receiver;
mod restart;
mod signed_playback;
mod signing;
mod signing_keys;
mod static_renditions;
mod text_tracks;
mod text_tracks_supplied;
mod uploads;
mod uploads_chunked;
mod url_assets;
mod webhook_faults;
mod webhooks;
