//! The log of received webhooks as admins read it: a page of events, filtered by type and
//! outcome, and one event with its payload (replaying one is `Ingestor::replay`).

use super::Ingestor;
use crate::service::Refusal;
use muxd_store::webhooks::WebhookFilter;
use muxd_store::{StoreResult, StoredWebhookEvent};

impl Ingestor {
    /// A page of stored events, newest first.
    pub async fn events(&self, filter: &WebhookFilter) -> StoreResult<Vec<StoredWebhookEvent>> {
        self.store.webhook_events(filter).await
    }

    /// The stored event Mux gave `event_id`.
    pub async fn event(&self, event_id: &str) -> Result<StoredWebhookEvent, Refusal> {
        self.store
            .webhook_event(event_id)
            .await?
            .ok_or(Refusal::NotFound)
    }
}
