//! Applying an event to the row it matched, inside the caller's transaction: the lifecycle event,
//! any key the row learns from it (its upload id, from an event matched by passthrough, when the
//! create that should have stored it was interrupted; its asset id), and then every unmatched
//! event that was waiting for a key the row just learned, oldest first.

use super::envelope::Envelope;
use crate::domain::interpret::Interpretation;
use crate::domain::{AssetId, Cause, Change, MatchKeys};
use crate::store::assets::{self, CreativeAsset};
use crate::store::webhooks::{self, StoredWebhookEvent};
use crate::store::{transitions, Conn, Outcome, StoreError};

/// What changed in one transaction, for live pages once it commits.
pub type Changed = Vec<(CreativeAsset, Change)>;

/// What will be done with an event: applied to its row, kept until its row appears, or (a type
/// muxd does not track) stored only.
pub fn outcome_of(meaning: &Interpretation, asset: Option<&CreativeAsset>) -> Outcome {
    match (&meaning.event, asset) {
        (None, _) => Outcome::Ignored,
        (Some(_), None) => Outcome::Unmatched,
        (Some(_), Some(_)) => Outcome::Applied,
    }
}

/// The row an event names, if any yet.
/// Takes the event's key locks first (see `webhooks::lock_keys`), so a row learning one of its
/// keys at the same moment either is found here or finds this event when it drains.
pub async fn find(
    conn: &mut Conn<'_>,
    meaning: &Interpretation,
) -> Result<Option<CreativeAsset>, StoreError> {
    if meaning.keys.is_empty() {
        return Ok(None);
    }
    webhooks::lock_keys(conn, &meaning.keys).await?;
    assets::find_by_keys(conn, &meaning.keys).await
}

/// Applies `meaning`, which happened at `at_ms`, to `asset`, then drains what its new keys match.
pub async fn apply_to_row(
    conn: &mut Conn<'_>,
    asset: &CreativeAsset,
    meaning: &Interpretation,
    at_ms: i64,
    cause: &Cause,
    stream_base: &str,
    changed: &mut Changed,
) -> Result<(), StoreError> {
    if apply_one(conn, asset, meaning, at_ms, cause, stream_base, changed).await? {
        drain_unmatched(conn, asset.id, stream_base, changed).await?;
    }
    Ok(())
}

/// Applies one event to one row; returns whether the row learned a key.
async fn apply_one(
    conn: &mut Conn<'_>,
    asset: &CreativeAsset,
    meaning: &Interpretation,
    at_ms: i64,
    cause: &Cause,
    stream_base: &str,
    changed: &mut Changed,
) -> Result<bool, StoreError> {
    let mut learned = false;
    if let (None, Some(upload_id)) = (&asset.mux_upload_id, &meaning.keys.upload_id) {
        learned |= assets::learn_upload_id(conn, asset.id, upload_id).await?;
    }
    if let Some(event) = &meaning.event {
        let known_asset_id = asset.facts.mux_asset_id.clone();
        let change =
            transitions::apply_event(conn, asset.id, event, at_ms, cause, stream_base).await?;
        if let Some(change) = change {
            learned |= change.facts.mux_asset_id != known_asset_id;
            changed.push((asset.clone(), change));
        }
    }
    Ok(learned)
}

/// Applies, oldest first, every unmatched event that names row `id` by any of its keys. Applying
/// one can teach the row a new key, so it repeats until nothing new matches.
pub async fn drain_unmatched(
    conn: &mut Conn<'_>,
    id: AssetId,
    stream_base: &str,
    changed: &mut Changed,
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
        webhooks::lock_keys(conn, &keys).await?;
        let pending = webhooks::unmatched_for(conn, &keys).await?;
        if pending.is_empty() {
            return Ok(());
        }
        for stored in pending {
            apply_stored(conn, &stored, stream_base, changed).await?;
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

/// Applies a stored event to the row it now matches (the row is re-read: earlier events in the
/// same drain may have changed it).
async fn apply_stored(
    conn: &mut Conn<'_>,
    stored: &StoredWebhookEvent,
    stream_base: &str,
    changed: &mut Changed,
) -> Result<(), StoreError> {
    let Ok(envelope) = serde_json::from_str::<Envelope>(&stored.payload) else {
        return Ok(());
    };
    let meaning = envelope.meaning();
    let Some(row) = find(conn, &meaning).await? else {
        return Ok(());
    };
    let cause = Cause::Webhook {
        event_id: stored.event_id.clone(),
        event_type: stored.event_type.clone(),
    };
    let at_ms = stored.mux_created_at.unwrap_or(stored.received_at);
    apply_one(conn, &row, &meaning, at_ms, &cause, stream_base, changed).await?;
    Ok(())
}
