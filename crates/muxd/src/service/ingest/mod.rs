//! Webhook ingestion after verification: parse the envelope, then in ONE transaction store the
//! event (deduplicated on Mux's event id), find its row, apply it, and record the outcome. A 2xx
//! is only sent after that transaction commits, so an acknowledged event is durable.
//!
//! Events that match no row yet are kept as `unmatched` with their match keys; whenever a row
//! learns a key (its upload id at creation, its asset id from an event) [`drain_unmatched`]
//! applies them in arrival order. Replays from the admin log go through [`apply_stored`].

use serde::Deserialize;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::live::LiveHub;
use crate::domain::interpret::{interpret_webhook, Interpretation};
use crate::domain::{AssetId, Cause, Change, MatchKeys};
use crate::store::assets::{self, CreativeAsset};
use crate::store::transitions;
use crate::store::webhooks::{self, NewWebhookEvent};
use crate::store::{Conn, Outcome, Store, StoreError};

/// The parts of Mux's envelope muxd needs (mux-api.md §5.1); everything else stays in the payload.
#[derive(Debug, Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
    created_at: Option<Value>,
    object: Option<ObjectRef>,
    #[serde(default)]
    data: Value,
}

#[derive(Debug, Deserialize)]
struct ObjectRef {
    #[serde(rename = "type")]
    object_type: Option<String>,
    id: Option<String>,
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
}

impl Ingestor {
    /// Stores and applies one verified delivery.
    pub async fn ingest(&self, body: &[u8], received_at_ms: i64) -> Result<Ingested, IngestError> {
        let envelope: Envelope =
            serde_json::from_slice(body).map_err(|e| IngestError::BadPayload(e.to_string()))?;
        if envelope.id.is_empty() || envelope.event_type.is_empty() {
            return Err(IngestError::BadPayload("empty id or type".into()));
        }
        let meaning = interpret_webhook(&envelope.event_type, &envelope.data);
        let payload = String::from_utf8_lossy(body);
        let object = envelope.object.as_ref();
        let record = NewWebhookEvent {
            event_id: &envelope.id,
            event_type: &envelope.event_type,
            object_type: object.and_then(|o| o.object_type.as_deref()),
            object_id: object.and_then(|o| o.id.as_deref()),
            mux_created_at: envelope.created_at.as_ref().and_then(created_at_ms),
            received_at: received_at_ms,
            keys: &meaning.keys,
            payload: &payload,
        };
        let mut tx = self.store.begin().await?;
        // Read first, so the dedupe insert can carry the final outcome.
        let asset = match meaning.keys.is_empty() {
            true => None,
            false => assets::find_by_keys(&mut tx.conn(), &meaning.keys).await?,
        };
        let outcome = outcome_of(&meaning, asset.as_ref());
        let Some(_) = webhooks::insert(
            &mut tx.conn(),
            &record,
            outcome,
            asset.as_ref().map(|a| a.id),
        )
        .await?
        else {
            tx.commit().await?;
            metrics::counter!("muxd_webhooks_total", "outcome" => "duplicate").increment(1);
            return Ok(Ingested {
                event_id: envelope.id,
                outcome: Outcome::Duplicate,
                asset_id: None,
            });
        };
        let asset_id = asset.as_ref().map(|a| a.id);
        let mut changed = Vec::new();
        if let (Some(event), Some(asset)) = (&meaning.event, asset) {
            let at_ms = record.mux_created_at.unwrap_or(received_at_ms);
            let cause = Cause::Webhook {
                event_id: envelope.id.clone(),
                event_type: envelope.event_type.clone(),
            };
            let known_asset_id = asset.facts.mux_asset_id.clone();
            if let Some(change) = transitions::apply_event_to(
                &mut tx.conn(),
                asset.clone(),
                event,
                at_ms,
                &cause,
                &self.stream_base,
            )
            .await?
            {
                let learned_key = change.facts.mux_asset_id != known_asset_id;
                changed.push((asset.clone(), change));
                // Events waiting for this asset id can match now.
                if learned_key {
                    drain_unmatched(&mut tx.conn(), asset.id, &self.stream_base, &mut changed)
                        .await?;
                }
            }
        }
        tx.commit().await?;
        metrics::counter!("muxd_webhooks_total", "outcome" => outcome.as_str()).increment(1);
        self.live.publish_all(&changed);
        Ok(Ingested {
            event_id: envelope.id,
            outcome,
            asset_id,
        })
    }

    /// Re-applies a stored event (admin replay). Returns its new outcome.
    pub async fn replay(&self, event_id: &str) -> Result<Option<Ingested>, IngestError> {
        let Some(stored) = self.store.webhook_event(event_id).await? else {
            return Ok(None);
        };
        let envelope: Envelope = serde_json::from_str(&stored.payload)
            .map_err(|e| IngestError::BadPayload(e.to_string()))?;
        let meaning = interpret_webhook(&envelope.event_type, &envelope.data);
        let cause = Cause::Webhook {
            event_id: stored.event_id.clone(),
            event_type: stored.event_type.clone(),
        };
        let at_ms = stored.mux_created_at.unwrap_or(stored.received_at);
        let mut changed = Vec::new();
        let mut tx = self.store.begin().await?;
        let (outcome, asset) = apply_meaning(
            &mut tx.conn(),
            &meaning,
            at_ms,
            &cause,
            &self.stream_base,
            &mut changed,
        )
        .await?;
        webhooks::set_outcome(
            &mut tx.conn(),
            stored.id,
            outcome,
            asset.as_ref().map(|a| a.id),
            Some("replayed"),
        )
        .await?;
        tx.commit().await?;
        self.live.publish_all(&changed);
        Ok(Some(Ingested {
            event_id: stored.event_id,
            outcome,
            asset_id: asset.map(|a| a.id),
        }))
    }

    /// Applies events that were waiting for row `id` (call after the row learns a key).
    pub async fn settle(&self, id: AssetId) -> Result<(), StoreError> {
        let mut changed = Vec::new();
        let mut tx = self.store.begin().await?;
        drain_unmatched(&mut tx.conn(), id, &self.stream_base, &mut changed).await?;
        tx.commit().await?;
        self.live.publish_all(&changed);
        Ok(())
    }
}

/// What will be done with an event: applied to its row, kept until its row appears, or (a type
/// muxd does not track) stored only.
fn outcome_of(meaning: &Interpretation, asset: Option<&CreativeAsset>) -> Outcome {
    match (&meaning.event, asset) {
        (None, _) => Outcome::Ignored,
        (Some(_), None) => Outcome::Unmatched,
        (Some(_), Some(_)) => Outcome::Applied,
    }
}

/// Finds the row and applies the lifecycle event, if any. Returns the outcome and matched row.
async fn apply_meaning(
    conn: &mut Conn<'_>,
    meaning: &Interpretation,
    at_ms: i64,
    cause: &Cause,
    stream_base: &str,
    changed: &mut Vec<(CreativeAsset, Change)>,
) -> Result<(Outcome, Option<CreativeAsset>), StoreError> {
    let asset = match meaning.keys.is_empty() {
        true => None,
        false => assets::find_by_keys(conn, &meaning.keys).await?,
    };
    let outcome = outcome_of(meaning, asset.as_ref());
    if let (Some(event), Some(found)) = (&meaning.event, &asset) {
        if let Some(change) =
            transitions::apply_event_to(conn, found.clone(), event, at_ms, cause, stream_base)
                .await?
        {
            changed.push((found.clone(), change));
        }
    }
    Ok((outcome, asset))
}

/// Applies, oldest first, every unmatched event that names row `id` by any of its keys. Applying
/// one can teach the row a new key (its asset id), so it repeats until nothing new matches.
pub async fn drain_unmatched(
    conn: &mut Conn<'_>,
    id: AssetId,
    stream_base: &str,
    changed: &mut Vec<(CreativeAsset, Change)>,
) -> Result<(), StoreError> {
    loop {
        let Some(row) = assets::by_id(conn, id).await? else {
            return Ok(());
        };
        let keys = MatchKeys {
            passthrough: Some(row.id),
            upload_id: row.mux_upload_id.clone(),
            asset_id: row.facts.mux_asset_id.clone(),
        };
        let pending = webhooks::unmatched_for(conn, &keys).await?;
        if pending.is_empty() {
            return Ok(());
        }
        for stored in pending {
            let envelope: Option<Envelope> = serde_json::from_str(&stored.payload).ok();
            let meaning = envelope.map(|e| interpret_webhook(&e.event_type, &e.data));
            let cause = Cause::Webhook {
                event_id: stored.event_id.clone(),
                event_type: stored.event_type.clone(),
            };
            if let Some(event) = meaning.and_then(|m| m.event) {
                let at_ms = stored.mux_created_at.unwrap_or(stored.received_at);
                if let Some(change) =
                    transitions::apply_event(conn, id, &event, at_ms, &cause, stream_base).await?
                {
                    changed.push((row.clone(), change));
                }
            }
            webhooks::set_outcome(
                conn,
                stored.id,
                Outcome::Applied,
                Some(id),
                Some("applied when its row appeared"),
            )
            .await?;
        }
    }
}

/// Mux's envelope `created_at`: an ISO-8601 string, or (older payloads) unix seconds.
fn created_at_ms(value: &Value) -> Option<i64> {
    match value {
        Value::String(text) => OffsetDateTime::parse(text, &Rfc3339)
            .ok()
            .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
            .or_else(|| text.parse::<i64>().ok().map(|s| s * 1000)),
        Value::Number(n) => n.as_i64().map(|s| s * 1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn created_at_accepts_iso_and_unix_seconds() {
        assert_eq!(
            created_at_ms(&json!("2024-06-10T22:24:01.561000Z")),
            Some(1_718_058_241_561)
        );
        assert_eq!(
            created_at_ms(&json!(1_656_362_193)),
            Some(1_656_362_193_000)
        );
        assert_eq!(created_at_ms(&json!("1656362193")), Some(1_656_362_193_000));
        assert_eq!(created_at_ms(&json!("yesterday")), None);
    }
}
