//! One verified webhook delivery, owned as the commit lanes take it: what is stored of it, which
//! lane it takes, and what storing it did.

use std::hash::{DefaultHasher, Hash, Hasher};

use muxd_domain::event::MatchKeys;
use muxd_domain::interpret::Interpretation;
use muxd_domain::AssetId;
use muxd_store::webhooks::NewWebhookEvent;
use muxd_store::Outcome;

/// One verified delivery, owned, ready to be stored.
#[derive(Debug)]
pub struct Delivery {
    pub event_id: String,
    pub event_type: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub mux_created_at: Option<i64>,
    pub received_at: i64,
    pub payload: String,
    pub meaning: Interpretation,
    /// The delivery's `webhook.ingest` span: its database work is traced under it.
    pub span: tracing::Span,
}

impl Delivery {
    /// The row to insert into `webhook_events`.
    pub fn record(&self) -> NewWebhookEvent<'_> {
        NewWebhookEvent {
            event_id: &self.event_id,
            event_type: &self.event_type,
            object_type: self.object_type.as_deref(),
            object_id: self.object_id.as_deref(),
            mux_created_at: self.mux_created_at,
            received_at: self.received_at,
            keys: &self.meaning.keys,
            payload: &self.payload,
        }
    }

    /// Which lane: the same row's events always take the same one.
    pub(super) fn lane(&self, lanes: usize) -> usize {
        let keys = &self.meaning.keys;
        let mut hasher = DefaultHasher::new();
        match (&keys.passthrough, &keys.upload_id, &keys.asset_id) {
            (Some(row), _, _) => row.hash(&mut hasher),
            (None, Some(upload), _) => upload.hash(&mut hasher),
            (None, None, Some(asset)) => asset.hash(&mut hasher),
            (None, None, None) => self.event_id.hash(&mut hasher),
        }
        (hasher.finish() % lanes as u64) as usize
    }
}

/// What storing one delivery did: its outcome, its row, and the row's keys if it learned one
/// (the caller then drains the events waiting for them).
pub type Applied = (Outcome, Option<AssetId>, Option<MatchKeys>);
