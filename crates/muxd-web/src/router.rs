//! The route table: every path muxd serves, read top to bottom, grouped by audience; and the
//! middleware every request passes through (CORS for configured origins, request id, sensitive
//! headers, timeout, panic catching), and the tracing span of every routed request.

use std::any::Any;
use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{middleware, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use super::state::WebState;
use super::{admin, api, health, openapi, pages, webhooks, ApiError};
use muxd_core::telemetry::traces;

/// The longest a request may take before muxd answers 503 (a live stream's body is not limited).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the router over `state`, with `extra` routes (e.g. `muxd dev`'s sign-in) beside the
/// table's, behind the same middleware.
pub fn build(state: WebState, extra: Router) -> Router {
    let cors = cors(&state.auth.browser.cors_origins);
    let router = routes()
        .with_state(state)
        .merge(extra)
        .layer(CatchPanicLayer::custom(panicked))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(SetSensitiveHeadersLayer::new([
            AUTHORIZATION,
            COOKIE,
            SET_COOKIE,
            HeaderName::from_static("mux-signature"),
        ]));
    match cors {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

/// CORS for the configured origins (none: no CORS headers at all, so browsers keep other sites'
/// pages out). Credentials are allowed, so each origin is named, never `*`; preflights are
/// answered here, before routing, and cached by browsers for 10 minutes.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let origins = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok());
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_credentials(true)
            .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
            .allow_headers([
                AUTHORIZATION,
                CONTENT_TYPE,
                HeaderName::from_static("last-event-id"),
                HeaderName::from_static("traceparent"),
            ])
            .expose_headers([REQUEST_ID, RETRY_AFTER])
            .max_age(Duration::from_secs(600)),
    )
}

/// The span of one routed request: a child of the caller's trace when it sent a `traceparent`,
/// named after the route it matched (`POST /api/webhooks/mux`), not its path, so ids do not
/// make every span name unique.
fn request_span<B>(request: &Request<B>) -> Span {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("", MatchedPath::as_str);
    let span = tracing::info_span!(
        "request",
        otel.name = format!("{} {route}", request.method()),
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        method = %request.method(),
        path = request.uri().path(),
        http.route = route,
        http.response.status_code = tracing::field::Empty,
        request_id = id,
    );
    traces::continue_remote(&span, request.headers());
    span
}

/// Records the response's status on the request's span (a 5xx marks the span as an error).
fn record_status(response: &Response, latency: Duration, span: &Span) {
    let status = response.status();
    span.record("http.response.status_code", status.as_u16());
    if status.is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
    tracing::debug!(
        status = status.as_u16(),
        latency_ms = latency.as_millis() as u64,
        "answered"
    );
}

fn routes() -> Router<WebState> {
    Router::new()
        // Mux → muxd.
        .route("/api/webhooks/mux", post(webhooks::receive))
        // The app's users (bearer token or session cookie).
        .route(
            "/api/session",
            post(api::session::create).delete(api::session::delete),
        )
        .route("/api/mux/create-video-upload", post(api::uploads::create))
        .route("/api/mux/create-video-from-url", post(api::links::create))
        .route("/api/creative-assets", get(api::assets::list))
        .route(
            "/api/creative-assets/{id}",
            get(api::assets::get)
                .patch(api::assets::update)
                .delete(api::assets::delete),
        )
        .route(
            "/api/creative-assets/{id}/replace",
            post(api::replace::replace),
        )
        .route(
            "/api/creative-assets/{id}/captions/{language}",
            put(api::captions::supply).delete(api::captions::delete),
        )
        .route(
            "/api/creative-assets/{id}/captions/{language}/generate",
            post(api::captions::generate),
        )
        // Mux fetching a supplied caption file (its unguessable name is the credential).
        .route("/captions/{file}", get(api::captions::file))
        .route("/api/live", get(api::live::stream))
        .route("/api/campaigns/{id}", get(api::campaigns::get))
        // The host app's backend (an admin token).
        .route("/api/app/campaigns", get(admin::app_campaigns::list))
        .route("/api/app/campaigns/{id}", put(admin::app_campaigns::put))
        .route(
            "/api/app/campaigns/{id}/archive",
            post(admin::app_campaigns::archive),
        )
        .route(
            "/api/app/campaigns/{id}/influencers/{influencer}",
            put(admin::app_campaigns::put_influencer),
        )
        .route(
            "/api/app/webhook-endpoints",
            get(admin::webhook_endpoints::list).post(admin::webhook_endpoints::create),
        )
        .route(
            "/api/app/webhook-endpoints/{id}",
            get(admin::webhook_endpoints::get)
                .patch(admin::webhook_endpoints::update)
                .delete(admin::webhook_endpoints::delete),
        )
        .route(
            "/api/app/webhook-deliveries",
            get(admin::webhook_endpoints::deliveries),
        )
        .route(
            "/api/app/webhook-deliveries/{id}",
            get(admin::webhook_endpoints::delivery),
        )
        .route(
            "/api/app/webhook-deliveries/{id}/replay",
            post(admin::webhook_endpoints::replay),
        )
        // Operators and orchestrators.
        .route("/livez", get(health::probes::livez))
        .route("/readyz", get(health::probes::readyz))
        .route("/api/health/mux-system", get(health::mux_system))
        .route("/metrics", get(health::metrics))
        // Admins.
        .route("/api/debug/mux-assets", get(admin::assets::list))
        .route(
            "/api/debug/mux-assets/{id}/resync",
            post(admin::assets::resync),
        )
        .route(
            "/api/debug/verify-mux-playback-ids",
            post(admin::assets::verify_playback_ids),
        )
        .route("/api/debug/adopt", post(admin::adopt::adopt))
        .route("/api/debug/webhook-events", get(admin::events::list))
        .route(
            "/api/debug/webhook-events/{event_id}",
            get(admin::events::get),
        )
        .route(
            "/api/debug/webhook-events/{event_id}/replay",
            post(admin::events::replay),
        )
        .route("/api/debug/processing-times", get(admin::processing::times))
        // This API's own description (each JSON route above is also listed in `openapi`).
        .route("/api/openapi.json", get(openapi::openapi_json))
        // Pages, the admin pages and the API's page among them.
        .merge(page_routes())
        // After routing, so the span knows the route; outside the table's routes, no span.
        .route_layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(record_status),
        )
}

/// Pages and their static files, each answer with the pages' security headers.
fn page_routes() -> Router<WebState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/campaigns/{id}/content", get(pages::content))
        .route("/admin", get(pages::admin::index))
        .route("/admin/assets", get(pages::admin::assets))
        .route("/admin/campaigns", get(pages::admin::campaigns))
        .route("/admin/events", get(pages::admin::events))
        .route("/admin/health", get(pages::admin::health))
        .route("/admin/webhooks", get(pages::admin::webhooks))
        .route("/api/docs", get(openapi::page::docs))
        .route("/static/{file}", get(pages::static_file))
        .layer(middleware::map_response(pages::csp::headers))
}

/// A handler panicked: log it and answer with muxd's 500 envelope.
fn panicked(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    ApiError::Internal(anyhow::anyhow!("handler panicked: {message}")).into_response()
}
