//! The route table: every path muxd serves, read top to bottom, grouped by audience.

use axum::routing::{get, post};
use axum::Router;

use super::{admin, assets, health, live, pages, uploads, webhooks};
use crate::app::AppState;

/// Builds the router over `app`.
pub fn build(app: AppState) -> Router {
    Router::new()
        // Mux → muxd.
        .route("/api/webhooks/mux", post(webhooks::receive))
        // The app's users (bearer token or dev session cookie).
        .route("/api/mux/create-video-upload", post(uploads::create))
        .route("/api/creative-assets", get(assets::list))
        .route(
            "/api/creative-assets/{id}",
            get(assets::get)
                .patch(assets::update)
                .delete(assets::delete),
        )
        .route("/api/live", get(live::stream))
        .route("/api/campaigns/{id}", get(pages::campaign))
        // Operators.
        .route("/api/health/mux-system", get(health::mux_system))
        .route("/metrics", get(health::metrics))
        // Admins.
        .route("/api/debug/mux-assets", get(admin::assets))
        .route("/api/debug/mux-assets/{id}/resync", post(admin::resync))
        .route(
            "/api/debug/verify-mux-playback-ids",
            post(admin::verify_playback_ids),
        )
        .route("/api/debug/webhook-events", get(admin::webhook_events))
        .route(
            "/api/debug/webhook-events/{event_id}/replay",
            post(admin::replay),
        )
        // Pages.
        .route("/", get(pages::home))
        .route("/campaigns/{id}/content", get(pages::content))
        .route("/dev/login", get(pages::dev_login))
        .with_state(app)
}
