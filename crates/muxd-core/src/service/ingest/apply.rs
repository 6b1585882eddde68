//! Applying an event to the row it matched, inside the caller's transaction: the lifecycle event
//! and any key the row learns from it (its upload id, from an event matched by passthrough, when
//! the create that should have stored it was interrupted; its asset id). Draining the unmatched
//! events a learned key now matches happens after that transaction commits, in one of its own
//! (`Ingestor::settle`): a key becomes visible to other transactions only when committed, so
//! "commit the key, then look for waiting events" on one side and "commit the event, then look
//! for its row" on the other can never both miss. Once committed, what changed is published
//! ([`publish_committed`]).

use super::super::live::LiveHub;
use super::super::processing_times;
use super::envelope::Envelope;
use muxd_domain::event::MatchKeys;
use muxd_domain::interpret::Interpretation;
use muxd_domain::{AssetId, Cause, Change};
use muxd_store::assets::{self, CreativeAsset};
use muxd_store::recorded;
use muxd_store::webhooks::{self, StoredWebhookEvent};
use muxd_store::{apply, Conn, Outcome, StoreError};

/// What changed in one transaction (each row as read before its change), for live pages once
/// it commits.
pub type Changed = Vec<(CreativeAsset, Change)>;

/// Tells live pages of each change in `changed`, and records the processing times of the assets
/// that became ready. Call only once the transaction that made them has committed.
pub fn publish_committed(live: &LiveHub, changed: &[(CreativeAsset, Change)]) {
    live.publish_all(changed);
    for (asset, change) in changed {
        processing_times::observe(asset, change);
    }
}

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
pub async fn find(
    conn: &mut Conn<'_>,
    meaning: &Interpretation,
) -> Result<Option<CreativeAsset>, StoreError> {
    match meaning.keys.is_empty() {
        true => Ok(None),
        false => assets::find_by_keys(conn, &meaning.keys).await,
    }
}

/// Applies `meaning`, which happened at `at_ms`, to `asset`. Returns the row's keys if it learned
/// one (then the caller drains what waits for them, after committing).
pub async fn apply_to_row(
    conn: &mut Conn<'_>,
    asset: &CreativeAsset,
    meaning: &Interpretation,
    at_ms: i64,
    cause: &Cause,
    stream_base: &str,
    changed: &mut Changed,
) -> Result<Option<MatchKeys>, StoreError> {
    let mut keys = asset.match_keys();
    let mut learned = false;
    if let (None, Some(upload_id)) = (&asset.mux_upload_id, &meaning.keys.upload_id) {
        if assets::learn_upload_id(conn, asset.id, upload_id).await? {
            learned = true;
            keys.upload_id = Some(upload_id.clone());
        }
    }
    if let Some(event) = &meaning.event {
        // The row as just found in this transaction; a lost race re-reads it.
        let change =
            apply::apply_event_to(conn, asset.clone(), event, at_ms, cause, stream_base).await?;
        if let Some(change) = change {
            learned |= note_change(asset, change, &mut keys, changed);
        }
    }
    Ok(learned.then_some(keys))
}

/// Notes `change` of `asset` for live pages once committed, and teaches `keys` (the row's) the
/// asset id the change names, if it is new to them. Returns whether it was.
pub fn note_change(
    asset: &CreativeAsset,
    change: Change,
    keys: &mut MatchKeys,
    changed: &mut Changed,
) -> bool {
    let learned = change.facts.mux_asset_id != keys.asset_id;
    if learned {
        keys.asset_id.clone_from(&change.facts.mux_asset_id);
    }
    changed.push((asset.clone(), change));
    learned
}

/// Whether recording and applying `meaning` to `asset` takes more than one write, so a
/// transaction must hold them: the row learns its upload id from it, or is a take (its card
/// follows).
pub fn needs_transaction(asset: &CreativeAsset, meaning: &Interpretation) -> bool {
    recorded::needs_transaction(asset)
        || (asset.mux_upload_id.is_none() && meaning.keys.upload_id.is_some())
}

/// Applies, oldest first, every unmatched event that names row `id` by any of the keys it has
/// now. Returns whether that taught the row a new key (the caller commits, then drains again).
pub async fn drain_unmatched(
    conn: &mut Conn<'_>,
    id: AssetId,
    stream_base: &str,
    changed: &mut Changed,
) -> Result<bool, StoreError> {
    let Some(row) = assets::by_id(conn, id).await? else {
        return Ok(false);
    };
    let keys = row.match_keys();
    let mut learned = false;
    for stored in webhooks::unmatched_for(conn, &keys).await? {
        learned |= apply_stored(conn, &stored, stream_base, changed)
            .await?
            .is_some();
        webhooks::set_outcome(
            conn,
            stored.id,
            Outcome::Applied,
            Some(id),
            Some("applied when its row appeared"),
            &keys,
        )
        .await?;
    }
    Ok(learned)
}

/// Applies a stored event to the row it now matches (the row is re-read: earlier events in the
/// same drain may have changed it). Returns the row's keys if it learned one.
async fn apply_stored(
    conn: &mut Conn<'_>,
    stored: &StoredWebhookEvent,
    stream_base: &str,
    changed: &mut Changed,
) -> Result<Option<MatchKeys>, StoreError> {
    let Ok(envelope) = serde_json::from_str::<Envelope>(&stored.payload) else {
        return Ok(None);
    };
    let meaning = envelope.meaning();
    let Some(row) = find(conn, &meaning).await? else {
        return Ok(None);
    };
    let cause = Cause::Webhook {
        event_id: stored.event_id.clone(),
        event_type: stored.event_type.clone(),
    };
    let at_ms = stored.mux_created_at.unwrap_or(stored.received_at);
    apply_to_row(conn, &row, &meaning, at_ms, &cause, stream_base, changed).await
}
