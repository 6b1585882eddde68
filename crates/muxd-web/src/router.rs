//! The route table: every path muxd serves, read top to bottom, grouped by audience (the JSON
//! API in [`api`], each route declared once with its OpenAPI entry); the middleware every request
//! passes through (CORS for configured origins, request id, sensitive headers, timeout, panic
//! catching); and the tracing span of every routed request.

use std::any::Any;
use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Extension, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
        http.request.method = %request.method(),
        url.path = request.uri().path(),
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

/// The JSON API, each route declared once: `routes!` reads the handler's `#[utoipa::path]`
/// (method, path, parameters, responses) both to route it and to add it to the document
/// [`document`] serves. Handlers of one path go in one `routes!`.
pub fn api() -> OpenApiRouter<WebState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        // Mux → muxd.
        .routes(routes!(webhooks::receive))
        // The app's users (bearer token or session cookie).
        .routes(routes!(api::session::create, api::session::delete))
        .routes(routes!(api::uploads::create))
        .routes(routes!(api::links::create))
        .routes(routes!(api::assets::list))
        .routes(routes!(
            api::assets::get,
            api::assets::update,
            api::assets::delete
        ))
        .routes(routes!(api::replace::replace))
        .routes(routes!(api::captions::supply, api::captions::delete))
        .routes(routes!(api::captions::generate))
        .routes(routes!(api::live::stream))
        .routes(routes!(api::campaigns::get))
        // The host app's backend (an admin token).
        .routes(routes!(admin::app_campaigns::list))
        .routes(routes!(admin::app_campaigns::put))
        .routes(routes!(admin::app_campaigns::archive))
        .routes(routes!(admin::app_campaigns::put_influencer))
        .routes(routes!(
            admin::webhook_endpoints::list,
            admin::webhook_endpoints::create
        ))
        .routes(routes!(
            admin::webhook_endpoints::get,
            admin::webhook_endpoints::update,
            admin::webhook_endpoints::delete
        ))
        .routes(routes!(admin::webhook_endpoints::deliveries))
        .routes(routes!(admin::webhook_endpoints::delivery))
        .routes(routes!(admin::webhook_endpoints::replay))
        // Operators and orchestrators.
        .routes(routes!(health::probes::livez))
        .routes(routes!(health::probes::readyz))
        .routes(routes!(health::mux_system))
        .routes(routes!(health::metrics))
        // Admins.
        .routes(routes!(admin::assets::list))
        .routes(routes!(admin::assets::resync))
        .routes(routes!(admin::assets::verify_playback_ids))
        .routes(routes!(admin::adopt::adopt))
        .routes(routes!(admin::events::list))
        .routes(routes!(admin::events::get))
        .routes(routes!(admin::events::replay))
        .routes(routes!(admin::processing::times))
        // This API's own description.
        .routes(routes!(openapi::openapi_json))
}

/// The API's whole document: every route of [`api`], completed by `openapi`.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut document) = api().split_for_parts();
    openapi::complete(&mut document);
    document
}

/// Every route: the JSON API, the caption files Mux fetches and the pages, with the span of
/// each routed request; the API's document goes to the handlers that serve it.
fn routes() -> Router<WebState> {
    let (api, _) = api().split_for_parts();
    api
        // Mux fetching a supplied caption file (its unguessable name is the credential).
        .route("/captions/{file}", get(api::captions::file))
        // Pages, the admin pages and the API's page among them.
        .merge(page_routes())
        .layer(Extension(openapi::ApiDocument::new(&document())))
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
