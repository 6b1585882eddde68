//! THE route table, by audience: the control API, then everything a Mux client talks to (the
//! REST API, upload URLs, playback), which passes the fault and logging gate.
//!
//! Wiring: it imports the HTTP modules; none of them imports it.

use std::sync::Arc;

use axum::middleware::from_fn_with_state;
use axum::Router;

use crate::state::Emulator;
use crate::{api, control, gate, playback, upload};

pub fn router(emu: Arc<Emulator>) -> Router {
    let mux = Router::new()
        .merge(api::routes())
        .merge(upload::routes())
        .merge(playback::routes())
        .fallback(|| async { api::ApiError::NotFound })
        .layer(from_fn_with_state(emu.clone(), gate::gate));
    Router::new()
        .nest("/_emulator", control::routes())
        .merge(mux)
        .with_state(emu)
}
