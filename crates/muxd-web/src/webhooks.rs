//! `POST /api/webhooks/mux`: refuse a request without a signature header before reading its
//! body (400), read at most the body limit (413), verify the signature on the raw bytes
//! (400/401; nothing unverified reaches the database), then store and apply in one transaction
//! and answer 2xx only once it is durable (503 if the database is down, so Mux retries).

use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use secrecy::ExposeSecret;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ErrorBody, ErrorType};
use super::state::WebhookIntake;
use super::ApiError;
use muxd_core::service::ingest::IngestError;
use muxd_domain::signature;
use muxd_store::{now_ms, Outcome};

/// A delivery stored for good.
#[derive(Debug, Serialize, ToSchema)]
pub struct Received {
    pub received: bool,
    /// What muxd did with it.
    pub outcome: Outcome,
}

/// Mux's webhook deliveries: verified, stored and applied before the 2xx.
#[utoipa::path(
    post,
    path = "/api/webhooks/mux",
    operation_id = "receiveMuxWebhook",
    tag = "mux",
    params(
        ("Mux-Signature" = String, Header,
            description = "`t=<unix seconds>,v1=<hex HMAC-SHA256 of \"t.body\">` with a configured signing secret"),
    ),
    request_body(content = Object, description = "Mux's event envelope (`type`, `id`, `data`, …)"),
    responses(
        (status = 200, description = "Stored (or a duplicate of one stored)", body = Received),
        (status = 400, description = "The signature header or the body is malformed", body = ErrorBody),
        (status = 401, description = "The signature does not verify, or is too old or new", body = ErrorBody),
        (status = 413, description = "The body is over `MUXD_WEBHOOK_MAX_BODY_BYTES`", body = ErrorBody),
        (status = 503, description = "The database is unavailable; Mux will retry", body = ErrorBody),
    )
)]
pub async fn receive(
    State(intake): State<WebhookIntake>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = std::time::Instant::now();
    // No signature, no reading: an anonymous sender gets nothing read past its headers.
    let Some(header) = headers.get("mux-signature").and_then(|v| v.to_str().ok()) else {
        let missing = signature::SignatureError::Missing;
        intake.stats.rejected(missing.reason());
        return ApiError::BadRequest(missing.to_string()).into_response();
    };
    let body = match to_bytes(body, intake.settings.max_body_bytes).await {
        Ok(body) => body,
        Err(error) if is_too_large(&error) => {
            intake.stats.rejected("too_large");
            return ApiError::PayloadTooLarge.into_response();
        }
        Err(_) => {
            intake.stats.rejected("unreadable_body");
            return ApiError::BadRequest("the request body could not be read".into())
                .into_response();
        }
    };
    let secrets: Vec<&[u8]> = intake
        .settings
        .secrets
        .iter()
        .map(|s| s.expose_secret().as_bytes())
        .collect();
    let now = now_ms();
    let tolerance = i64::try_from(intake.settings.tolerance.as_secs()).unwrap_or(i64::MAX);
    if let Err(error) = signature::verify(Some(header), &body, &secrets, now / 1000, tolerance) {
        intake.stats.rejected(error.reason());
        tracing::info!(reason = error.reason(), "webhook rejected");
        return if error.is_malformed() {
            ApiError::BadRequest(error.to_string()).into_response()
        } else {
            (
                StatusCode::UNAUTHORIZED,
                Json(ErrorBody::new(ErrorType::Unauthorized, "invalid signature")),
            )
                .into_response()
        };
    }
    match intake.ingest.ingest(&body, now).await {
        Ok(ingested) => {
            intake.stats.received(now);
            metrics::histogram!("muxd_webhook_ack_seconds").record(started.elapsed().as_secs_f64());
            tracing::info!(
                event.id = %ingested.event_id,
                outcome = ingested.outcome.as_str(),
                asset.id = ingested.asset_id.map(|a| a.to_string()),
                duration_ms = started.elapsed().as_millis() as u64,
                "webhook stored"
            );
            (
                StatusCode::OK,
                Json(Received {
                    received: true,
                    outcome: ingested.outcome,
                }),
            )
                .into_response()
        }
        Err(IngestError::BadPayload(message)) => {
            intake.stats.rejected("bad_payload");
            ApiError::BadRequest(message).into_response()
        }
        Err(IngestError::Store(error)) => ApiError::from(error).into_response(),
    }
}

/// Whether reading the body failed because it was over the limit (not because the client went
/// away or sent a broken stream).
fn is_too_large(error: &axum::Error) -> bool {
    std::error::Error::source(error)
        .is_some_and(|cause| cause.is::<http_body_util::LengthLimitError>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_a_body_over_the_limit_is_too_large() {
        let over = to_bytes(Body::from("twelve bytes"), 4).await.unwrap_err();
        assert!(is_too_large(&over));
        let broken = futures_util::stream::iter([Err::<axum::body::Bytes, _>(
            std::io::Error::other("client went away"),
        )]);
        let unreadable = to_bytes(Body::from_stream(broken), 1024).await.unwrap_err();
        assert!(!is_too_large(&unreadable));
    }
}
