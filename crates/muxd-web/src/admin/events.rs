//! Admin tools over webhooks: the stored event log with type and outcome filters (without
//! payloads, so a page of 200 stays small), one event with its payload, and replay of one stored
//! event.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::api::assets::page;
use crate::auth::AdminUser;
use crate::error::ErrorBody;
use crate::extract::ApiQuery;
use crate::log_views::WebhookEventView;
use crate::openapi::responses::{
    BadPage, DatabaseDown, NotAdmin, NotAdminOrCrossSite, NotSignedIn,
};
use crate::state::WebhookIntake;
use crate::views::Page;
use crate::ApiError;
use muxd_core::service::ingest::IngestError;
use muxd_domain::AssetId;
use muxd_domain::Outcome;
use muxd_store::webhooks::WebhookFilter;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Only events of this Mux type, e.g. `video.asset.ready`.
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    /// Only events with this outcome.
    #[param(value_type = Option<Outcome>)]
    pub outcome: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Events to skip (default 0).
    pub offset: Option<i64>,
}

/// One stored event with what Mux sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventWithPayload {
    #[serde(flatten)]
    pub event: WebhookEventView,
    /// The body Mux sent (its text when it is not JSON).
    pub payload: Value,
}

/// What replaying an event did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Replayed {
    pub event_id: String,
    pub outcome: Outcome,
    /// The asset it applied to, if it matched one.
    pub asset_id: Option<AssetId>,
}

/// The webhook event log.
#[utoipa::path(
    get,
    path = "/api/debug/webhook-events",
    operation_id = "listWebhookEvents",
    tag = "admin",
    params(EventsQuery),
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "A page of events", body = Page<WebhookEventView>),
        BadPage,
        NotSignedIn,
        NotAdmin,
        DatabaseDown,
    )
)]
pub async fn list(
    State(intake): State<WebhookIntake>,
    AdminUser(_): AdminUser,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<Json<Page<WebhookEventView>>, ApiError> {
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
    let events = intake.ingest.events(&filter).await?;
    Ok(Json(Page {
        data: events.into_iter().map(WebhookEventView::from).collect(),
        limit,
        offset,
    }))
}

/// One stored event with its payload (the JSON Mux sent, or its text if it is not JSON).
#[utoipa::path(
    get,
    path = "/api/debug/webhook-events/{event_id}",
    operation_id = "getWebhookEvent",
    tag = "admin",
    params(("event_id" = String, Path, description = "Mux's id of the stored event")),
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "The event and its payload", body = EventWithPayload),
        NotSignedIn,
        NotAdmin,
        (status = 404, description = "No stored event has that id", body = ErrorBody),
        DatabaseDown,
    )
)]
pub async fn get(
    State(intake): State<WebhookIntake>,
    AdminUser(_): AdminUser,
    Path(event_id): Path<String>,
) -> Result<Json<EventWithPayload>, ApiError> {
    let event = intake.ingest.event(&event_id).await?;
    let payload = serde_json::from_str::<Value>(&event.payload)
        .unwrap_or_else(|_| Value::String(event.payload.clone()));
    Ok(Json(EventWithPayload {
        event: event.into(),
        payload,
    }))
}

/// Applies a stored event again, as if it had just arrived.
#[utoipa::path(
    post,
    path = "/api/debug/webhook-events/{event_id}/replay",
    operation_id = "replayWebhookEvent",
    tag = "admin",
    params(("event_id" = String, Path, description = "Mux's id of the stored event")),
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "What the replay did", body = Replayed),
        (status = 400, description = "The stored payload cannot be read", body = ErrorBody),
        NotSignedIn,
        NotAdminOrCrossSite,
        (status = 404, description = "No stored event has that id", body = ErrorBody),
        DatabaseDown,
    )
)]
pub async fn replay(
    State(intake): State<WebhookIntake>,
    AdminUser(_): AdminUser,
    Path(event_id): Path<String>,
) -> Result<Json<Replayed>, ApiError> {
    match intake.ingest.replay(&event_id).await {
        Ok(Some(ingested)) => Ok(Json(Replayed {
            event_id: ingested.event_id,
            outcome: ingested.outcome,
            asset_id: ingested.asset_id,
        })),
        Ok(None) => Err(ApiError::NotFound),
        Err(IngestError::BadPayload(message)) => Err(ApiError::BadRequest(message)),
        Err(IngestError::Store(error)) => Err(error.into()),
    }
}
