//! Applying one lifecycle event to one row, in the caller's transaction: the pure transition
//! (`muxd_domain::lifecycle`) over the row as read, written with optimistic concurrency
//! (`transitions.rs`), and, for a take (a card's new file on its way), mirrored on its card:
//! [`follow`] makes a READY take the card's video ([`swap`]) and shows any other status as the
//! card's replacement, and [`give_up_takes`] retires takes. Following and retiring apply events
//! in turn, which is why they live beside [`apply_event`].

use super::assets::{by_id, playback_url, CreativeAsset};
use super::marks::outbound_mark;
use super::transitions::{tracks_json, write_change};
use super::{now_ms, run, Conn, Store, StoreError, StoreResult};
use muxd_domain::lifecycle;
use muxd_domain::outbound::EventType;
use muxd_domain::replacement::{failure, ReplacementStatus};
use muxd_domain::{AssetId, AssetStatus, Cause, Change, LifecycleEvent, PlaybackPolicy};

/// How many times a lost optimistic race is re-read and re-applied before giving up.
pub(super) const MAX_APPLY_ATTEMPTS: usize = 16;
/// Applies `event` to row `id` and records the change in `asset_events`. Returns `None` when the
/// event changes nothing (duplicate or late) or the row does not exist.
pub async fn apply_event(
    conn: &mut Conn<'_>,
    id: AssetId,
    event: &LifecycleEvent,
    at_ms: i64,
    cause: &Cause,
    stream_base: &str,
) -> StoreResult<Option<Change>> {
    match by_id(conn, id).await? {
        Some(current) => apply_event_to(conn, current, event, at_ms, cause, stream_base).await,
        None => Ok(None),
    }
}

/// [`apply_event`] starting from a row the caller has just read. A lost optimistic race (another
/// writer bumped `version` first) re-reads the row and re-applies the pure transition. An event
/// that is no news (it only says something known happened again, later) changes nothing: no
/// write, no record, and the row's polling session goes on. Webhooks and polls share this rule.
pub async fn apply_event_to(
    conn: &mut Conn<'_>,
    mut current: CreativeAsset,
    event: &LifecycleEvent,
    at_ms: i64,
    cause: &Cause,
    stream_base: &str,
) -> StoreResult<Option<Change>> {
    let id = current.id;
    for _ in 0..MAX_APPLY_ATTEMPTS {
        let Some(change) = lifecycle::apply(&current.facts, event, at_ms)
            .filter(|change| lifecycle::is_news(&current.facts, change))
        else {
            return Ok(None);
        };
        if write_change(conn, &current, &change, cause, stream_base).await? {
            if let Some(card) = current.replaces {
                follow(conn, &current, &change, card, cause, stream_base).await?;
            }
            return Ok(Some(change));
        }
        match by_id(conn, id).await? {
            Some(fresh) => current = fresh,
            None => return Ok(None),
        }
    }
    Err(StoreError::Corrupt(format!(
        "asset {id}: gave up after {MAX_APPLY_ATTEMPTS} conflicting concurrent updates"
    )))
}

/// The condition "no take of card `$card` is newer than the take created at `$at` with id `$id`"
/// (a failed take that turns out READY later must not speak for a newer one).
macro_rules! newest_take {
    ($card:literal, $at:literal, $id:literal) => {
        concat!(
            "NOT EXISTS (SELECT 1 FROM creative_assets n WHERE n.replaces = ",
            $card,
            " AND (n.created_at > ",
            $at,
            " OR (n.created_at = ",
            $at,
            " AND n.id > ",
            $id,
            ")))"
        )
    };
}
pub(super) use newest_take;

/// Mirrors `change` of `take` on its card `card`, in the caller's transaction: a READY take
/// becomes the card's video ([`swap`]); any other status is shown as the card's replacement.
pub(super) async fn follow(
    conn: &mut Conn<'_>,
    take: &CreativeAsset,
    change: &Change,
    card: AssetId,
    cause: &Cause,
    stream_base: &str,
) -> StoreResult<()> {
    if change.to == AssetStatus::Ready {
        return swap(conn, take, change, card, cause, stream_base).await;
    }
    let status = ReplacementStatus::of(change.to).map(ReplacementStatus::as_str);
    let (kind, message) = failure(change.to, change.facts.error.as_ref()).unzip();
    const SQL: &str = concat!(
        "UPDATE creative_assets SET replacement_status = $1, replacement_error_type = $2,
            replacement_error_message = $3, version = version + 1, updated_at = $4
         WHERE id = $5 AND mux_processing_status <> 'DELETED'
           AND (replacement_status IS DISTINCT FROM $1
             OR replacement_error_type IS DISTINCT FROM $2
             OR replacement_error_message IS DISTINCT FROM $3)
           AND ",
        newest_take!("$5", "$6", "$7")
    );
    run!(conn, c => sqlx::query(SQL)
        .bind(status)
        .bind(kind)
        .bind(message)
        .bind(now_ms())
        .bind(card.to_string())
        .bind(take.created_at)
        .bind(take.id.to_string())
        .execute(&mut **c)
        .await
        .map(drop))?;
    Ok(())
}

/// The take just turned READY: the card takes its Mux asset and what Mux said of it (version + 1,
/// `replaced_at`, a `replace` record the host app hears as `asset.updated`), and the take takes
/// the card's old asset, DELETED and marked for deletion on Mux. A card that is no longer READY
/// (deleted meanwhile) keeps what it has, and the take is given up with its new asset.
async fn swap(
    conn: &mut Conn<'_>,
    take: &CreativeAsset,
    change: &Change,
    card: AssetId,
    cause: &Cause,
    stream_base: &str,
) -> StoreResult<()> {
    let facts = &change.facts;
    let current = by_id(conn, card)
        .await?
        .filter(|card| card.facts.status == AssetStatus::Ready);
    let Some(current) = current else {
        return retire(conn, take, facts.mux_asset_id.as_deref(), cause).await;
    };
    let now = now_ms();
    // The asset id is unique: free it on the take before the card takes it.
    run!(conn, c => sqlx::query("UPDATE creative_assets SET mux_asset_id = NULL WHERE id = $1")
        .bind(take.id.to_string())
        .execute(&mut **c)
        .await
        .map(drop))?;
    let url = facts
        .ready
        .playback_id
        .as_deref()
        .map(|pid| playback_url(stream_base, pid));
    const SQL: &str = concat!(
        "UPDATE creative_assets SET mux_asset_id = $1, url = $2, playback_id = $3,
            playback_policy = $4, duration_s = $5, aspect_ratio = $6, resolution_tier = $7,
            mp4_ready = $8, warnings = $9, processing_at = $10, ready_at = $11,
            decided_at = $12, last_event_at = $13, error_type = NULL, error_message = NULL,
            error_source = NULL, replaced_at = $14, updated_at = $14, version = version + 1,
            text_tracks = $18, captions_due = TRUE,
            replacement_status = CASE WHEN ",
        newest_take!("$15", "$16", "$17"),
        " THEN NULL ELSE replacement_status END,
            replacement_error_type = CASE WHEN ",
        newest_take!("$15", "$16", "$17"),
        " THEN NULL ELSE replacement_error_type END,
            replacement_error_message = CASE WHEN ",
        newest_take!("$15", "$16", "$17"),
        " THEN NULL ELSE replacement_error_message END
         WHERE id = $15"
    );
    run!(conn, c => sqlx::query(SQL)
        .bind(facts.mux_asset_id.as_deref())
        .bind(url.as_deref())
        .bind(facts.ready.playback_id.as_deref())
        .bind(facts.ready.playback_policy.map(PlaybackPolicy::as_str))
        .bind(facts.ready.duration_s)
        .bind(facts.ready.aspect_ratio.as_deref())
        .bind(facts.ready.resolution_tier.as_deref())
        .bind(facts.ready.mp4_ready)
        .bind(
            Some(&facts.warnings)
                .filter(|w| !w.is_empty())
                .map(|w| serde_json::Value::from(w.clone()).to_string()),
        )
        .bind(facts.processing_at_ms)
        .bind(facts.ready_at_ms)
        .bind(facts.decided_at_ms)
        .bind(facts.last_event_at_ms)
        .bind(now)
        .bind(card.to_string())
        .bind(take.created_at)
        .bind(take.id.to_string())
        .bind(tracks_json(&facts.tracks))
        .execute(&mut **c)
        .await
        .map(drop))?;
    const RECORD: &str = concat!(
        "INSERT INTO asset_events (asset_id, from_status, to_status, cause, cause_ref, at, outbound)
         VALUES ($1, 'READY', 'READY', 'replace', $2, $3, ",
        outbound_mark!("$4"),
        ")"
    );
    run!(conn, c => sqlx::query(RECORD)
        .bind(card.to_string())
        .bind(take.id.to_string())
        .bind(now)
        .bind(EventType::Updated.as_str())
        .execute(&mut **c)
        .await
        .map(drop))?;
    retire(conn, take, current.facts.mux_asset_id.as_deref(), cause).await
}

/// Turns a take that just became READY into a DELETED row holding `asset_id`, marked for
/// deletion on Mux (the deletion job deletes it with its backoff). The host app hears nothing of
/// a take.
async fn retire(
    conn: &mut Conn<'_>,
    take: &CreativeAsset,
    asset_id: Option<&str>,
    cause: &Cause,
) -> StoreResult<()> {
    let now = now_ms();
    run!(conn, c => sqlx::query(
        "UPDATE creative_assets SET mux_asset_id = $1, mux_processing_status = 'DELETED',
            mux_delete_pending = TRUE, version = version + 1, updated_at = $2
         WHERE id = $3",
    )
    .bind(asset_id)
    .bind(now)
    .bind(take.id.to_string())
    .execute(&mut **c)
    .await
    .map(drop))?;
    run!(conn, c => sqlx::query(
        "INSERT INTO asset_events (asset_id, from_status, to_status, cause, cause_ref, at)
         VALUES ($1, 'READY', 'DELETED', $2, $3, $4)",
    )
    .bind(take.id.to_string())
    .bind(cause.kind())
    .bind(cause.reference())
    .bind(now)
    .execute(&mut **c)
    .await
    .map(drop))?;
    Ok(())
}

/// Which takes of a card [`give_up_takes`] gives up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Takes {
    /// Every one not yet DELETED (the card itself is being deleted).
    All,
    /// Those still waiting for their file but this new one, which supersedes them.
    WaitingBut(AssetId),
}

/// Gives up `which` takes of card `card`, in the caller's transaction: each turns DELETED and is
/// marked for deletion on Mux (its upload cancelled, or the asset it became deleted, by the
/// deletion job).
pub(super) async fn give_up_takes(
    conn: &mut Conn<'_>,
    card: AssetId,
    cause: &Cause,
    which: Takes,
) -> StoreResult<()> {
    let (sql, but) = match which {
        Takes::All => (
            "SELECT id FROM creative_assets WHERE replaces = $1 AND mux_processing_status <> 'DELETED'
               AND id <> $2",
            String::new(),
        ),
        Takes::WaitingBut(take) => (
            "SELECT id FROM creative_assets
             WHERE replaces = $1 AND mux_processing_status = 'AWAITING_UPLOAD' AND id <> $2",
            take.to_string(),
        ),
    };
    let ids: Vec<String> = run!(conn, c => sqlx::query_scalar(sql)
    .bind(card.to_string())
    .bind(&but)
    .fetch_all(&mut **c)
    .await)?;
    for id in ids {
        let id = super::rows::parse("id", &id)?;
        end_and_mark(conn, id, &LifecycleEvent::DeletedByOwner, now_ms(), cause).await?;
    }
    Ok(())
}

/// Applies `event`, one that ends row `id` (an owner's deletion, a refusal), in the caller's
/// transaction and, if it changed the row, marks its Mux asset for deletion. Returns the change.
pub(super) async fn end_and_mark(
    conn: &mut Conn<'_>,
    id: AssetId,
    event: &LifecycleEvent,
    at_ms: i64,
    cause: &Cause,
) -> StoreResult<Option<Change>> {
    let change = apply_event(conn, id, event, at_ms, cause, "").await?;
    if change.is_some() {
        run!(conn, c => sqlx::query(
            "UPDATE creative_assets SET mux_delete_pending = TRUE WHERE id = $1"
        )
        .bind(id.to_string())
        .execute(&mut **c)
        .await
        .map(drop))?;
    }
    Ok(change)
}

impl Store {
    /// Applies one event to one row in its own transaction (see [`apply_event`]).
    pub async fn apply(
        &self,
        id: AssetId,
        event: &LifecycleEvent,
        at_ms: i64,
        cause: &Cause,
        stream_base: &str,
    ) -> StoreResult<Option<Change>> {
        let mut tx = self.begin().await?;
        let change = apply_event(&mut tx.conn(), id, event, at_ms, cause, stream_base).await?;
        tx.commit().await?;
        Ok(change)
    }

    /// Records an owner's deletion: the row becomes DELETED (final) and is marked for deletion on
    /// Mux, in one transaction. Returns the change, or `None` if it was already deleted.
    pub async fn delete_by_owner(&self, id: AssetId, cause: &Cause) -> StoreResult<Option<Change>> {
        let mut tx = self.begin().await?;
        let event = LifecycleEvent::DeletedByOwner;
        let change = end_and_mark(&mut tx.conn(), id, &event, now_ms(), cause).await?;
        if change.is_some() {
            give_up_takes(&mut tx.conn(), id, cause, Takes::All).await?;
        }
        tx.commit().await?;
        Ok(change)
    }
}
