//! The JSON of the admin logs: received webhook events and outbound deliveries with their
//! attempts, made from the store's rows here, so the store keeps no wire shapes.

use serde::Serialize;
use utoipa::ToSchema;

use muxd_domain::outbound::DeliveryStatus;
use muxd_domain::{AssetId, Outcome};
use muxd_store::outbox::{AttemptLogEntry, DeliveryLogEntry};
use muxd_store::StoredWebhookEvent;

/// A stored webhook event.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEventView {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub mux_created_at: Option<i64>,
    pub received_at: i64,
    pub outcome: Outcome,
    pub asset_id: Option<AssetId>,
    pub deliveries: i64,
    pub detail: Option<String>,
}

/// One delivery as the log shows it (times in unix ms).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    pub id: i64,
    pub message_id: String,
    pub endpoint_id: String,
    pub event_type: String,
    pub asset_id: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
    pub created_at: i64,
}

/// One attempt as the log shows it (`at` in unix ms; `statusCode` absent when the endpoint
/// could not be reached, `error` says why).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttemptView {
    pub at: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

impl From<StoredWebhookEvent> for WebhookEventView {
    fn from(event: StoredWebhookEvent) -> Self {
        WebhookEventView {
            id: event.id,
            event_id: event.event_id,
            event_type: event.event_type,
            object_type: event.object_type,
            object_id: event.object_id,
            mux_created_at: event.mux_created_at,
            received_at: event.received_at,
            outcome: event.outcome,
            asset_id: event.asset_id,
            deliveries: event.deliveries,
            detail: event.detail,
        }
    }
}

impl From<DeliveryLogEntry> for DeliveryView {
    fn from(entry: DeliveryLogEntry) -> Self {
        DeliveryView {
            id: entry.id,
            message_id: entry.message_id,
            endpoint_id: entry.endpoint_id,
            event_type: entry.event_type,
            asset_id: entry.asset_id,
            status: entry.status,
            attempts: entry.attempts,
            next_attempt_at: entry.next_attempt_at,
            last_status: entry.last_status,
            last_error: entry.last_error,
            delivered_at: entry.delivered_at,
            created_at: entry.created_at,
        }
    }
}

impl From<AttemptLogEntry> for AttemptView {
    fn from(attempt: AttemptLogEntry) -> Self {
        AttemptView {
            at: attempt.at,
            status_code: attempt.status_code,
            error: attempt.error,
            duration_ms: attempt.duration_ms,
        }
    }
}
