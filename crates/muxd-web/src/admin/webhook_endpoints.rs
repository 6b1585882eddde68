//! The host app's outbound webhook endpoints and their delivery log, for its backend or an
//! admin (admin token): `POST/GET /api/app/webhook-endpoints`, `GET/PATCH/DELETE …/{id}`,
//! `GET /api/app/webhook-deliveries?endpointId=&status=`, `GET …/{id}` (body and every attempt)
//! and `POST …/{id}/replay`. Bad input is a 400 naming the field, and nothing is stored.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::api::assets::page;
use crate::auth::AdminUser;
use crate::error::ErrorBody;
use crate::extract::ApiJson;
use crate::extract::ApiQuery;
use crate::log_views::{AttemptView, DeliveryView};
use crate::openapi::responses::{
    BadPage, DatabaseDown, NotAdmin, NotAdminOrCrossSite, NotSignedIn,
};
use crate::views::Page;
use crate::ApiError;
use muxd_core::service::outbound::endpoints::EndpointInput;
use muxd_core::service::outbound::Outbound;
use muxd_domain::outbound::DeliveryStatus;
use muxd_domain::time::rfc3339;
use muxd_store::endpoints::Endpoint;

/// A new endpoint, or changes to one (every field optional when changing; `url` is required
/// when creating).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndpointBody {
    /// Where to POST: http(s); a private, loopback or link-local address only when
    /// MUXD_WEBHOOK_ALLOW_PRIVATE_URLS is true.
    url: Option<String>,
    /// `whsec_` and the base64 of a 24- to 64-byte key; made by muxd when left out.
    secret: Option<String>,
    /// The event types to send (at most 16; empty or left out: every type).
    event_types: Option<Vec<String>>,
    /// A note for people, up to 500 characters.
    description: Option<String>,
    /// `true` pauses deliveries (they wait); `false` resumes them.
    disabled: Option<bool>,
}

impl From<EndpointBody> for EndpointInput {
    fn from(body: EndpointBody) -> Self {
        EndpointInput {
            url: body.url,
            secret: body.secret,
            event_types: body.event_types,
            description: body.description,
            disabled: body.disabled,
        }
    }
}

/// An endpoint as the API shows it; its secret only when asked for one endpoint.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointView {
    id: String,
    url: String,
    /// The Standard Webhooks secret its messages are signed with (not in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    /// Empty: every event type.
    event_types: Vec<String>,
    description: Option<String>,
    disabled: bool,
    created_at: String,
    updated_at: String,
}

impl EndpointView {
    fn of(endpoint: Endpoint, with_secret: bool) -> Self {
        EndpointView {
            id: endpoint.id,
            url: endpoint.url,
            secret: Some(endpoint.secret).filter(|_| with_secret),
            event_types: endpoint.event_types,
            description: endpoint.description,
            disabled: endpoint.disabled,
            created_at: rfc3339(endpoint.created_at),
            updated_at: rfc3339(endpoint.updated_at),
        }
    }
}

/// Every endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointList {
    data: Vec<EndpointView>,
}

/// One delivery: its state, the body it sends, and every attempt, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDetail {
    delivery: DeliveryView,
    /// The message's body (`{type, timestamp, data}`), byte for byte what is signed and sent.
    payload: Value,
    attempts: Vec<AttemptView>,
}

/// A replayed delivery: pending again, due now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplayedDelivery {
    id: i64,
    status: DeliveryStatus,
}

/// Registers an endpoint.
#[utoipa::path(
    post,
    path = "/api/app/webhook-endpoints",
    operation_id = "createWebhookEndpoint",
    tag = "app",
    request_body = EndpointBody,
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 201, description = "The endpoint, with its secret", body = EndpointView),
        (status = 400, description = "A field is invalid (named in the message); nothing was stored", body = ErrorBody),
        NotSignedIn,
        NotAdminOrCrossSite,
        DatabaseDown,
    )
)]
pub async fn create(
    State(outbound): State<Outbound>,
    AdminUser(_): AdminUser,
    ApiJson(body): ApiJson<EndpointBody>,
) -> Result<(StatusCode, Json<EndpointView>), ApiError> {
    let endpoint = outbound.create_endpoint(body.into()).await?;
    Ok((StatusCode::CREATED, Json(EndpointView::of(endpoint, true))))
}

/// Every endpoint, without secrets.
#[utoipa::path(
    get,
    path = "/api/app/webhook-endpoints",
    operation_id = "listWebhookEndpoints",
    tag = "app",
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "The endpoints, oldest first", body = EndpointList),
        NotSignedIn,
        NotAdmin,
        DatabaseDown,
    )
)]
pub async fn list(
    State(outbound): State<Outbound>,
    AdminUser(_): AdminUser,
) -> Result<Json<EndpointList>, ApiError> {
    let data = outbound
        .endpoints()
        .await?
        .into_iter()
        .map(|e| EndpointView::of(e, false))
        .collect();
    Ok(Json(EndpointList { data }))
}

/// One endpoint, with its secret.
#[utoipa::path(
    get,
    path = "/api/app/webhook-endpoints/{id}",
    operation_id = "getWebhookEndpoint",
    tag = "app",
    params(("id" = String, Path, description = "The endpoint's id (`ep_…`)")),
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "The endpoint", body = EndpointView),
        NotSignedIn,
        NotAdmin,
        (status = 404, description = "No endpoint has that id", body = ErrorBody),
        DatabaseDown,
    )
)]
pub async fn get(
    State(outbound): State<Outbound>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> Result<Json<EndpointView>, ApiError> {
    let endpoint = outbound.endpoint(&id).await?;
    Ok(Json(EndpointView::of(endpoint, true)))
}

/// Changes an endpoint.
#[utoipa::path(
    patch,
    path = "/api/app/webhook-endpoints/{id}",
    operation_id = "updateWebhookEndpoint",
    tag = "app",
    params(("id" = String, Path, description = "The endpoint's id (`ep_…`)")),
    request_body = EndpointBody,
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "The endpoint as it now is", body = EndpointView),
        (status = 400, description = "A field is invalid (named in the message); nothing was changed", body = ErrorBody),
        NotSignedIn,
        NotAdminOrCrossSite,
        (status = 404, description = "No endpoint has that id", body = ErrorBody),
        DatabaseDown,
    )
)]
pub async fn update(
    State(outbound): State<Outbound>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EndpointBody>,
) -> Result<Json<EndpointView>, ApiError> {
    let endpoint = outbound.update_endpoint(&id, body.into()).await?;
    Ok(Json(EndpointView::of(endpoint, true)))
}

/// Deletes an endpoint and its delivery log.
#[utoipa::path(
    delete,
    path = "/api/app/webhook-endpoints/{id}",
    operation_id = "deleteWebhookEndpoint",
    tag = "app",
    params(("id" = String, Path, description = "The endpoint's id (`ep_…`)")),
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 204, description = "Deleted"),
        NotSignedIn,
        NotAdminOrCrossSite,
        (status = 404, description = "No endpoint has that id", body = ErrorBody),
        DatabaseDown,
    )
)]
pub async fn delete(
    State(outbound): State<Outbound>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    outbound.delete_endpoint(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct DeliveriesQuery {
    /// Only this endpoint's deliveries.
    endpoint_id: Option<String>,
    /// Only deliveries in this state: `pending`, `delivered` or `failed`.
    #[param(value_type = Option<DeliveryStatus>)]
    status: Option<String>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<i64>,
    /// Deliveries to skip (default 0).
    offset: Option<i64>,
}

/// The delivery log.
#[utoipa::path(
    get,
    path = "/api/app/webhook-deliveries",
    operation_id = "listWebhookDeliveries",
    tag = "app",
    params(DeliveriesQuery),
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "A page of deliveries, newest first", body = Page<DeliveryView>),
        BadPage,
        NotSignedIn,
        NotAdmin,
        DatabaseDown,
    )
)]
pub async fn deliveries(
    State(outbound): State<Outbound>,
    AdminUser(_): AdminUser,
    ApiQuery(query): ApiQuery<DeliveriesQuery>,
) -> Result<Json<Page<DeliveryView>>, ApiError> {
    let (limit, offset) = page(query.limit, query.offset)?;
    let status = query
        .status
        .as_deref()
        .map(str::parse::<DeliveryStatus>)
        .transpose()
        .map_err(ApiError::BadRequest)?;
    let data = outbound
        .deliveries(query.endpoint_id.as_deref(), status, limit, offset)
        .await?;
    Ok(Json(Page {
        data: data.into_iter().map(DeliveryView::from).collect(),
        limit,
        offset,
    }))
}

fn delivery_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::BadRequest(format!("delivery id must be a number, not {raw:?}")))
}

/// One delivery with its body and every attempt.
#[utoipa::path(
    get,
    path = "/api/app/webhook-deliveries/{id}",
    operation_id = "getWebhookDelivery",
    tag = "app",
    params(("id" = i64, Path, description = "The delivery's id")),
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "The delivery", body = DeliveryDetail),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        NotSignedIn,
        NotAdmin,
        (status = 404, description = "No delivery has that id", body = ErrorBody),
        DatabaseDown,
    )
)]
pub async fn delivery(
    State(outbound): State<Outbound>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> Result<Json<DeliveryDetail>, ApiError> {
    let id = delivery_id(&id)?;
    let (delivery, payload, attempts) = outbound.delivery(id).await?;
    let payload = serde_json::from_str(&payload).unwrap_or(Value::String(payload));
    Ok(Json(DeliveryDetail {
        delivery: delivery.into(),
        payload,
        attempts: attempts.into_iter().map(AttemptView::from).collect(),
    }))
}

/// Sends a delivery again now, with a fresh schedule, whatever became of it.
#[utoipa::path(
    post,
    path = "/api/app/webhook-deliveries/{id}/replay",
    operation_id = "replayWebhookDelivery",
    tag = "app",
    params(("id" = i64, Path, description = "The delivery's id")),
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 202, description = "Pending again, due now", body = ReplayedDelivery),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        NotSignedIn,
        NotAdminOrCrossSite,
        (status = 404, description = "No delivery has that id", body = ErrorBody),
        DatabaseDown,
    )
)]
pub async fn replay(
    State(outbound): State<Outbound>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ReplayedDelivery>), ApiError> {
    let id = delivery_id(&id)?;
    outbound.replay_delivery(id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ReplayedDelivery {
            id,
            status: DeliveryStatus::Pending,
        }),
    ))
}
