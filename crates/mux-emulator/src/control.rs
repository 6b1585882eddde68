//! The control API under `/_emulator`: read the emulator's state and change its behaviour.
//! No auth, never faulted or rate limited, never logged in the request log.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::faults::{ApiFaultRule, FaultConfig, WebhookFaults};
use crate::state::model::Render;
use crate::state::Emulator;

pub fn routes() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/health", get(|| async { Json(json!({"ok": true})) }))
        .route("/state", get(state))
        .route("/uploads", get(uploads))
        .route("/assets", get(assets))
        .route("/deliveries", get(deliveries))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/faults", get(faults).put(set_faults).delete(clear_faults))
        .route("/faults/api", post(add_api_rule))
        .route("/faults/webhooks", put(set_webhook_faults))
        .route("/rate-limits", get(rate_limits).put(set_rate_limits))
        .route("/webhooks", get(webhooks).put(set_webhooks))
        .route("/clock/advance", post(advance_clock))
}

/// A control body that did not parse: 400 with the reason.
struct BadBody(String);

impl IntoResponse for BadBody {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, Json(json!({"error": self.0}))).into_response()
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, BadBody> {
    serde_json::from_slice(body).map_err(|e| BadBody(e.to_string()))
}

async fn state(State(emu): State<Arc<Emulator>>) -> Json<Value> {
    emu.expire_due();
    let uploads: Vec<Value> = emu.store.all_uploads().iter().map(|u| u.render()).collect();
    let assets: Vec<Value> = emu
        .store
        .all_assets()
        .iter()
        .map(|a| a.render(Render::Rest))
        .collect();
    Json(json!({"uploads": uploads, "assets": assets}))
}

async fn uploads(State(emu): State<Arc<Emulator>>) -> Json<Value> {
    emu.expire_due();
    let data: Vec<Value> = emu.store.all_uploads().iter().map(|u| u.render()).collect();
    Json(json!({"data": data}))
}

async fn assets(State(emu): State<Arc<Emulator>>) -> Json<Value> {
    let data: Vec<Value> = emu
        .store
        .all_assets()
        .iter()
        .map(|a| a.render(Render::Rest))
        .collect();
    Json(json!({"data": data}))
}

async fn deliveries(State(emu): State<Arc<Emulator>>) -> Json<Value> {
    Json(json!({"data": emu.webhooks.deliveries()}))
}

async fn requests(State(emu): State<Arc<Emulator>>) -> Json<Value> {
    Json(json!({"data": emu.request_log.entries()}))
}

async fn clear_requests(State(emu): State<Arc<Emulator>>) -> StatusCode {
    emu.request_log.clear();
    StatusCode::NO_CONTENT
}

async fn faults(State(emu): State<Arc<Emulator>>) -> Json<FaultConfig> {
    Json(emu.faults.config())
}

async fn set_faults(State(emu): State<Arc<Emulator>>, body: Bytes) -> Response {
    match parse::<FaultConfig>(&body) {
        Ok(config) => {
            emu.faults.set(config);
            Json(emu.faults.config()).into_response()
        }
        Err(bad) => bad.into_response(),
    }
}

async fn clear_faults(State(emu): State<Arc<Emulator>>) -> StatusCode {
    emu.faults.set(FaultConfig::default());
    StatusCode::NO_CONTENT
}

async fn add_api_rule(State(emu): State<Arc<Emulator>>, body: Bytes) -> Response {
    match parse::<ApiFaultRule>(&body) {
        Ok(rule) => {
            emu.faults.add_api_rule(rule);
            (StatusCode::CREATED, Json(emu.faults.config())).into_response()
        }
        Err(bad) => bad.into_response(),
    }
}

async fn set_webhook_faults(State(emu): State<Arc<Emulator>>, body: Bytes) -> Response {
    match parse::<WebhookFaults>(&body) {
        Ok(faults) => {
            emu.faults.set_webhook_faults(faults);
            Json(emu.faults.config()).into_response()
        }
        Err(bad) => bad.into_response(),
    }
}

#[derive(Deserialize)]
struct Enabled {
    enabled: bool,
}

async fn rate_limits(State(emu): State<Arc<Emulator>>) -> Json<Value> {
    Json(json!({"enabled": emu.rate_limiter.enabled()}))
}

async fn set_rate_limits(State(emu): State<Arc<Emulator>>, body: Bytes) -> Response {
    match parse::<Enabled>(&body) {
        Ok(Enabled { enabled }) => {
            emu.rate_limiter.set_enabled(enabled);
            Json(json!({"enabled": enabled})).into_response()
        }
        Err(bad) => bad.into_response(),
    }
}

#[derive(Deserialize)]
struct WebhookSettings {
    urls: Option<Vec<String>>,
    signing_secret: Option<String>,
}

async fn webhooks(State(emu): State<Arc<Emulator>>) -> Json<Value> {
    Json(json!({"urls": emu.webhooks.targets().urls}))
}

async fn set_webhooks(State(emu): State<Arc<Emulator>>, body: Bytes) -> Response {
    match parse::<WebhookSettings>(&body) {
        Ok(settings) => {
            if let Some(urls) = settings.urls {
                emu.webhooks.set_urls(urls);
            }
            if let Some(secret) = settings.signing_secret {
                emu.webhooks.set_signing_secret(secret);
            }
            Json(json!({"urls": emu.webhooks.targets().urls})).into_response()
        }
        Err(bad) => bad.into_response(),
    }
}

#[derive(Deserialize)]
struct Advance {
    seconds: u64,
}

/// Moves the emulator's clock forward (e.g. past an upload's timeout) and applies timeouts.
async fn advance_clock(State(emu): State<Arc<Emulator>>, body: Bytes) -> Response {
    match parse::<Advance>(&body) {
        Ok(Advance { seconds }) => {
            emu.clock.advance(Duration::from_secs(seconds));
            emu.expire_due();
            Json(json!({"now": emu.clock.unix_s()})).into_response()
        }
        Err(bad) => bad.into_response(),
    }
}
