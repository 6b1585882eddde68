//! Webhook ingestion after verification: parse the envelope, then in ONE transaction store the
//! event (deduplicated on Mux's event id), find its row, apply it, and record the outcome. A 2xx
//! is only sent after that transaction commits, so an acknowledged event is durable. Deliveries
//! arriving together share that transaction (group commit, `commit.rs`).
//!
//! Events that match no row yet are kept as `unmatched` with their match keys; whenever a row
//! learns a key, they are applied in arrival order (`apply.rs`). Both sides look for the other
//! after committing: a row that learned a key drains what waits for it, and an event stored as
//! unmatched looks for its row once more, so neither can miss the other however they interleave.
//! A verified event whose apply fails for any reason but an unavailable database is stored as
//! `failed` with the reason, in a transaction of its own, so it is visible to admins and can be
//! replayed; an unavailable database (or a serialization conflict) is a 503, so Mux retries.

mod apply;
mod commit;
mod delivery;
mod envelope;
mod log;

pub use self::apply::publish_committed;

use self::apply::{apply_to_row, drain_unmatched, find, outcome_of, Changed};
use self::commit::GroupCommit;
use self::delivery::Delivery;
use self::envelope::Envelope;
use super::live::LiveHub;
use muxd_domain::event::MatchKeys;
use muxd_domain::interpret::Interpretation;
use muxd_domain::{AssetId, Cause};
use muxd_store::{assets, webhooks};
use muxd_store::{Outcome, Store, StoreError};
use tracing::Instrument as _;

/// Registers the per-outcome webhook counter at 0 for every outcome, so an alert sees the first
/// `failed` as an increase.
pub fn count_outcomes_from_zero() {
    for outcome in Outcome::ALL {
        metrics::counter!("muxd_webhooks_total", "outcome" => outcome.as_str()).increment(0);
    }
}

/// What happened to one delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    pub event_id: String,
    pub outcome: Outcome,
    pub asset_id: Option<AssetId>,
}

/// Why a verified delivery could not be ingested.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The body is not a Mux event (400; nothing stored).
    #[error("not a Mux event: {0}")]
    BadPayload(String),
    /// The database failed (503 when unavailable, so Mux retries).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Ingests and applies webhooks; cheap to clone.
#[derive(Clone, Debug)]
pub struct Ingestor {
    pub store: Store,
    pub live: LiveHub,
    pub stream_base: String,
    commits: GroupCommit,
}

impl Ingestor {
    /// An ingestor, with its group-commit lanes started on the current runtime.
    pub fn new(store: Store, live: LiveHub, stream_base: String) -> Self {
        let commits = GroupCommit::start(store.clone(), live.clone(), stream_base.clone());
        Self {
            store,
            live,
            stream_base,
            commits,
        }
    }

    /// Stores and applies one verified delivery, in a `webhook.ingest` span that carries the
    /// event's id, type and outcome (its database work shows as child spans, `commit.rs`).
    pub async fn ingest(&self, body: &[u8], received_at_ms: i64) -> Result<Ingested, IngestError> {
        let envelope: Envelope =
            serde_json::from_slice(body).map_err(|e| IngestError::BadPayload(e.to_string()))?;
        if envelope.id.is_empty() || envelope.event_type.is_empty() {
            return Err(IngestError::BadPayload("empty id or type".into()));
        }
        let span = tracing::info_span!(
            "webhook.ingest",
            event.id = %envelope.id,
            event.type = %envelope.event_type,
            outcome = tracing::field::Empty,
            asset.id = tracing::field::Empty,
        );
        let ingested = self
            .ingest_envelope(envelope, body, received_at_ms, span.clone())
            .instrument(span.clone())
            .await?;
        span.record("outcome", ingested.outcome.as_str());
        if let Some(id) = ingested.asset_id {
            span.record("asset.id", tracing::field::display(id));
        }
        Ok(ingested)
    }

    async fn ingest_envelope(
        &self,
        envelope: Envelope,
        body: &[u8],
        received_at_ms: i64,
        span: tracing::Span,
    ) -> Result<Ingested, IngestError> {
        let object = envelope.object.as_ref();
        let delivery = Delivery {
            event_id: envelope.id.clone(),
            event_type: envelope.event_type.clone(),
            object_type: object.and_then(|o| o.object_type.clone()),
            object_id: object.and_then(|o| o.id.clone()),
            mux_created_at: envelope.created_at_ms(),
            received_at: received_at_ms,
            payload: String::from_utf8_lossy(body).into_owned(),
            meaning: envelope.meaning(),
            span,
        };
        let meaning = delivery.meaning.clone();
        let (outcome, asset_id, learned) = self.commits.submit(delivery).await?;
        metrics::counter!("muxd_webhooks_total", "outcome" => outcome.as_str()).increment(1);
        // The event is durable; what follows only hurries its neighbours. If it fails, the
        // reconciler's next poll of the row drains them.
        let follow_up = match (outcome, asset_id) {
            (Outcome::Applied, Some(id)) => match learned {
                Some(keys) => self.settle_with(id, &keys).await,
                None => Ok(()),
            },
            (Outcome::Unmatched, _) => self.recheck(&meaning).await,
            _ => Ok(()),
        };
        if let Err(error) = follow_up {
            tracing::warn!(event.id = %envelope.id, error = %error.detail(), "draining after a webhook failed");
        }
        Ok(Ingested {
            event_id: envelope.id,
            outcome,
            asset_id,
        })
    }

    /// After an event was stored as unmatched: its row may have learned the event's key while
    /// the event's transaction ran; if a row matches now, drain what waits for it.
    async fn recheck(&self, meaning: &Interpretation) -> Result<(), StoreError> {
        let row = find(&mut self.store.read().await?.conn(), meaning).await?;
        match row {
            Some(row) => self.settle(row.id).await,
            None => Ok(()),
        }
    }

    /// Re-applies a stored event (admin replay). Returns its new outcome.
    pub async fn replay(&self, event_id: &str) -> Result<Option<Ingested>, IngestError> {
        let Some(stored) = self.store.webhook_event(event_id).await? else {
            return Ok(None);
        };
        let envelope: Envelope = serde_json::from_str(&stored.payload)
            .map_err(|e| IngestError::BadPayload(e.to_string()))?;
        let meaning = envelope.meaning();
        let cause = Cause::Webhook {
            event_id: stored.event_id.clone(),
            event_type: stored.event_type.clone(),
        };
        let at_ms = stored.mux_created_at.unwrap_or(stored.received_at);
        let mut changed = Changed::new();
        let mut tx = self.store.begin().await?;
        let asset = find(&mut tx.conn(), &meaning).await?;
        let outcome = outcome_of(&meaning, asset.as_ref());
        let mut learned = None;
        if let Some(asset) = &asset {
            learned = apply_to_row(
                &mut tx.conn(),
                asset,
                &meaning,
                at_ms,
                &cause,
                &self.stream_base,
                &mut changed,
            )
            .await?;
        }
        let asset_id = asset.map(|a| a.id);
        webhooks::set_outcome(
            &mut tx.conn(),
            stored.id,
            outcome,
            asset_id,
            Some("replayed"),
            &meaning.keys,
        )
        .await?;
        tx.commit().await?;
        publish_committed(&self.live, &changed);
        if let (Some(keys), Some(id)) = (learned, asset_id) {
            self.settle_with(id, &keys).await?;
        }
        Ok(Some(Ingested {
            event_id: stored.event_id,
            outcome,
            asset_id,
        }))
    }

    /// Applies events that were waiting for row `id` (call after the row's new key committed).
    /// Each round commits before the next looks again with the keys that round taught it.
    pub async fn settle(&self, id: AssetId) -> Result<(), StoreError> {
        let Some(row) = assets::by_id(&mut self.store.read().await?.conn(), id).await? else {
            return Ok(());
        };
        self.settle_with(id, &row.match_keys()).await
    }

    /// [`Ingestor::settle`] for a row whose committed keys are `keys` (as a commit that taught
    /// them knows, without reading the row again).
    async fn settle_with(&self, id: AssetId, keys: &MatchKeys) -> Result<(), StoreError> {
        // Usually nothing waits: one look on a read connection, no transaction.
        let mut read = self.store.read().await?;
        if !webhooks::any_unmatched_for(&mut read.conn(), keys).await? {
            return Ok(());
        }
        drop(read);
        loop {
            let mut changed = Changed::new();
            let mut tx = self.store.begin().await?;
            let learned =
                drain_unmatched(&mut tx.conn(), id, &self.stream_base, &mut changed).await?;
            tx.commit().await?;
            publish_committed(&self.live, &changed);
            if !learned {
                return Ok(());
            }
        }
    }
}
