//! Admin tools over webhooks: the stored event log with type and outcome filters (without
//! payloads, so a page of 200 stays small), one event with its payload, and replay of one stored
//! event.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::service::ingest::IngestError;
use crate::store::webhooks::WebhookFilter;
use crate::store::{Outcome, Store};
use crate::web::api::assets::page;
use crate::web::auth::AdminUser;
use crate::web::state::WebhookIntake;
use crate::web::ApiError;

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub outcome: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

pub async fn list(
    State(store): State<Store>,
    AdminUser(_): AdminUser,
    Query(query): Query<EventsQuery>,
) -> Result<Json<Value>, ApiError> {
    let (limit, offset) = page(query.limit, query.offset)?;
    let outcome = query
        .outcome
        .as_deref()
        .map(|o| {
            o.parse::<Outcome>()
                .map_err(|()| ApiError::BadRequest(format!("unknown outcome {o:?}")))
        })
        .transpose()?;
    let filter = WebhookFilter {
        event_type: query.event_type,
        outcome,
        limit,
        offset,
    };
    let events = store.webhook_events(&filter).await?;
    Ok(Json(
        json!({"data": events, "limit": limit, "offset": offset}),
    ))
}

/// One stored event with its payload (the JSON Mux sent, or its text if it is not JSON).
pub async fn get(
    State(store): State<Store>,
    AdminUser(_): AdminUser,
    Path(event_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let event = store
        .webhook_event(&event_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let payload = serde_json::from_str::<Value>(&event.payload)
        .unwrap_or_else(|_| Value::String(event.payload.clone()));
    let mut body = serde_json::to_value(&event).map_err(|e| ApiError::Internal(e.into()))?;
    body["payload"] = payload;
    Ok(Json(body))
}

pub async fn replay(
    State(intake): State<WebhookIntake>,
    AdminUser(_): AdminUser,
    Path(event_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    match intake.ingest.replay(&event_id).await {
        Ok(Some(ingested)) => Ok(Json(
            json!({"eventId": ingested.event_id, "outcome": ingested.outcome, "assetId": ingested.asset_id}),
        )),
        Ok(None) => Err(ApiError::NotFound),
        Err(IngestError::BadPayload(message)) => Err(ApiError::BadRequest(message)),
        Err(IngestError::Store(error)) => Err(error.into()),
    }
}
