//! The host app's outbound webhook endpoints and their delivery log, for its backend or an
//! admin (admin token): `POST/GET /api/app/webhook-endpoints`, `GET/PATCH/DELETE …/{id}`,
//! `GET /api/app/webhook-deliveries?endpointId=&status=`, `GET …/{id}` (body and every attempt)
//! and `POST …/{id}/replay`. Bad input is a 400 naming the field, and nothing is stored.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::domain::time::rfc3339;
use crate::service::outbound::endpoints::{EndpointError, EndpointInput};
use crate::service::outbound::Outbound;
use crate::store::endpoints::Endpoint;
use crate::store::Store;
use crate::web::api::assets::page;
use crate::web::auth::AdminUser;
use crate::web::json::ApiJson;
use crate::web::ApiError;

/// A new endpoint, or changes to one (every field optional when changing).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndpointBody {
    url: Option<String>,
    secret: Option<String>,
    event_types: Option<Vec<String>>,
    description: Option<String>,
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
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointView {
    id: String,
    url: String,
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

impl From<EndpointError> for ApiError {
    fn from(error: EndpointError) -> Self {
        match error {
            EndpointError::Invalid(message) => ApiError::BadRequest(message),
            EndpointError::NotFound => ApiError::NotFound,
            EndpointError::Store(error) => error.into(),
        }
    }
}

pub async fn create(
    State(outbound): State<Outbound>,
    AdminUser(_): AdminUser,
    ApiJson(body): ApiJson<EndpointBody>,
) -> Result<(StatusCode, Json<EndpointView>), ApiError> {
    let endpoint = outbound.create_endpoint(body.into()).await?;
    Ok((StatusCode::CREATED, Json(EndpointView::of(endpoint, true))))
}

pub async fn list(
    State(store): State<Store>,
    AdminUser(_): AdminUser,
) -> Result<Json<Value>, ApiError> {
    let endpoints: Vec<EndpointView> = store
        .endpoints()
        .await?
        .into_iter()
        .map(|e| EndpointView::of(e, false))
        .collect();
    Ok(Json(json!({ "data": endpoints })))
}

pub async fn get(
    State(store): State<Store>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> Result<Json<EndpointView>, ApiError> {
    let endpoint = store.endpoint(&id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(EndpointView::of(endpoint, true)))
}

pub async fn update(
    State(outbound): State<Outbound>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EndpointBody>,
) -> Result<Json<EndpointView>, ApiError> {
    let endpoint = outbound.update_endpoint(&id, body.into()).await?;
    Ok(Json(EndpointView::of(endpoint, true)))
}

pub async fn delete(
    State(store): State<Store>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    match store.delete_endpoint(&id).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NotFound),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveriesQuery {
    endpoint_id: Option<String>,
    status: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

pub async fn deliveries(
    State(store): State<Store>,
    AdminUser(_): AdminUser,
    Query(query): Query<DeliveriesQuery>,
) -> Result<Json<Value>, ApiError> {
    let (limit, offset) = page(query.limit, query.offset)?;
    if let Some(status) = query.status.as_deref() {
        if !matches!(status, "pending" | "delivered" | "failed") {
            return Err(ApiError::BadRequest(format!(
                "status must be pending, delivered or failed, not {status:?}"
            )));
        }
    }
    let entries = store
        .deliveries(
            query.endpoint_id.as_deref(),
            query.status.as_deref(),
            limit,
            offset,
        )
        .await?;
    Ok(Json(json!({ "data": entries })))
}

pub async fn delivery(
    State(store): State<Store>,
    AdminUser(_): AdminUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let (entry, payload, attempts) = store.delivery(id).await?.ok_or(ApiError::NotFound)?;
    let payload: Value = serde_json::from_str(&payload).unwrap_or(Value::String(payload));
    Ok(Json(json!({
        "delivery": entry,
        "payload": payload,
        "attempts": attempts,
    })))
}

pub async fn replay(
    State(store): State<Store>,
    AdminUser(_): AdminUser,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    match store.replay_delivery(id).await? {
        true => Ok((
            StatusCode::ACCEPTED,
            Json(json!({ "id": id, "status": "pending" })),
        )),
        false => Err(ApiError::NotFound),
    }
}
