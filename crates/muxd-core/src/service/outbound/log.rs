//! What admins read and do with the host app's endpoints and deliveries besides saving an
//! endpoint (`endpoints.rs`): list and read them, delete an endpoint, read the delivery log and
//! send a delivery again. Something that does not exist is [`Refusal::NotFound`].

use super::Outbound;
use crate::service::Refusal;
use muxd_domain::outbound::DeliveryStatus;
use muxd_store::endpoints::Endpoint;
use muxd_store::outbox::{AttemptLogEntry, DeliveryLogEntry};
use muxd_store::StoreResult;

/// One delivery, its message's body and every attempt, oldest first.
pub type DeliveryDetail = (DeliveryLogEntry, String, Vec<AttemptLogEntry>);

impl Outbound {
    /// Every endpoint.
    pub async fn endpoints(&self) -> StoreResult<Vec<Endpoint>> {
        self.store.endpoints().await
    }

    /// Endpoint `id`.
    pub async fn endpoint(&self, id: &str) -> Result<Endpoint, Refusal> {
        self.store.endpoint(id).await?.ok_or(Refusal::NotFound)
    }

    /// Deletes endpoint `id` (its pending deliveries go with it).
    pub async fn delete_endpoint(&self, id: &str) -> Result<(), Refusal> {
        match self.store.delete_endpoint(id).await? {
            true => Ok(()),
            false => Err(Refusal::NotFound),
        }
    }

    /// The delivery log, newest first: of one endpoint and/or in one status when asked.
    pub async fn deliveries(
        &self,
        endpoint: Option<&str>,
        status: Option<DeliveryStatus>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<DeliveryLogEntry>> {
        self.store.deliveries(endpoint, status, limit, offset).await
    }

    /// Delivery `id` with its body and attempts.
    pub async fn delivery(&self, id: i64) -> Result<DeliveryDetail, Refusal> {
        self.store.delivery(id).await?.ok_or(Refusal::NotFound)
    }

    /// Makes delivery `id` pending again, due now, with a fresh schedule.
    pub async fn replay_delivery(&self, id: i64) -> Result<(), Refusal> {
        match self.store.replay_delivery(id).await? {
            true => Ok(()),
            false => Err(Refusal::NotFound),
        }
    }
}
