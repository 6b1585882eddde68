//! The gate every non-control request passes: the request log, fault rules (latency, errors,
//! dropped connections) and Mux-like rate limits (docs/mux-facts.md §1.3, §1.4).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::request_log::LoggedRequest;
use crate::state::Emulator;
use crate::upload;

/// Marks a response that must not be sent: the server closes the connection instead.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

pub async fn gate(State(emu): State<Arc<Emulator>>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let traceparent = request
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let at_ms = emu.clock.unix_ms();
    let decision = emu.faults.decide_api(&method, &path);
    if decision.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(decision.latency_ms)).await;
    }
    // A faulted answer to an upload URL carries the upload's CORS headers like a real one, so a
    // browser reads its status (without them it sees status 0 and cannot tell a 503 to retry).
    let cors = upload::cors_for(&emu, &path, request.headers().get("origin"));
    let response = if decision.drop {
        let mut r = Response::new(Body::empty());
        r.extensions_mut().insert(DropConnection);
        r
    } else if let Some((status, retry_after_s)) = decision.error {
        with_headers(fault_response(status, retry_after_s), cors)
    } else if is_api(&path) && !emu.rate_limiter.admit(&method) {
        fault_response(429, None)
    } else {
        next.run(request).await
    };
    let status = (!decision.drop).then(|| response.status().as_u16());
    emu.request_log.push(LoggedRequest {
        at_ms,
        method,
        path,
        status,
        traceparent,
    });
    response
}

/// The REST API (`/video/…`, `/system/…`), which rate limits cover; upload URLs and playback
/// have none (docs/mux-facts.md §1.4).
fn is_api(path: &str) -> bool {
    path.starts_with("/video/") || path.starts_with("/system/")
}

fn with_headers(mut response: Response, headers: HeaderMap) -> Response {
    response.headers_mut().extend(headers);
    response
}

/// 429 has its own body shape (docs/mux-facts.md §1.3); other statuses get the usual error envelope.
fn fault_response(status: u16, retry_after_s: Option<u64>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = if code == StatusCode::TOO_MANY_REQUESTS {
        (
            code,
            Json(json!({"errors": ["Too many requests, retry later."]})),
        )
            .into_response()
    } else {
        let kind = match code {
            StatusCode::BAD_GATEWAY => "bad_gateway",
            StatusCode::SERVICE_UNAVAILABLE => "service_unavailable",
            _ => "internal_error",
        };
        let message = code.canonical_reason().unwrap_or("Error");
        (
            code,
            Json(json!({"error": {"type": kind, "messages": [message]}})),
        )
            .into_response()
    };
    if let Some(seconds) = retry_after_s {
        response
            .headers_mut()
            .insert("retry-after", HeaderValue::from(seconds));
    }
    response
}
