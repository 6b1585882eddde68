//! Replacing a card's video in place. The new file is a hidden take: a row of its own whose
//! `replaces` names the card, so the lifecycle, the ingest lookups and the reconciler run for it
//! unchanged. Starting a replacement claims the card (one take in flight at a time: a new one
//! supersedes one still waiting for its file, and waits for one being processed); every change
//! of the take is mirrored on its card ([`follow`], in the transaction of that change); when the
//! take turns READY the card takes its Mux facts and the take takes the card's old asset, DELETED
//! and marked for deletion, so the deletion job removes it on Mux with its backoff.

use super::assets::{by_id, insert_row, playback_url, CreativeAsset, NewAsset, UNSENT};
use super::limits::counted_quota;
use super::transitions::{apply_event, outbound_mark, tracks_json};
use super::{now_ms, run, Conn, CreateQuota, OverQuota, Store, StoreResult};
use muxd_domain::outbound::EventType;
use muxd_domain::replacement::{failure, ReplacementStatus};
use muxd_domain::{AssetId, AssetStatus, Cause, Change, LifecycleEvent, UserId};

/// Why a card cannot take a new file now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplaceRefused {
    /// No such card of this owner (or it is deleted, or it is itself a take).
    NotFound,
    /// Only a READY card can be replaced; it is in this status.
    NotReady(AssetStatus),
    /// A new file for it is already with Mux, being processed.
    Busy,
    /// The owner created as many uploads as allowed in the last minute; one more is allowed in
    /// this many milliseconds.
    TooMany { wait_ms: i64 },
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
        .bind(facts.ready.playback_policy.as_deref())
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
        let event = LifecycleEvent::DeletedByOwner;
        if apply_event(conn, id, &event, now_ms(), cause, "")
            .await?
            .is_some()
        {
            run!(conn, c => sqlx::query(
                "UPDATE creative_assets SET mux_delete_pending = TRUE WHERE id = $1"
            )
            .bind(id.to_string())
            .execute(&mut **c)
            .await
            .map(drop))?;
        }
    }
    Ok(())
}

/// Before an unsent take is removed (its create never handed out the URL), or once its create
/// failed: its card no longer shows it as uploading, and can take another file. A newer take's
/// status is its own.
pub(super) async fn release_unsent(conn: &mut Conn<'_>, take: AssetId) -> StoreResult<()> {
    let sql = format!(
        "UPDATE creative_assets SET replacement_status = NULL, version = version + 1,
            updated_at = $1
         WHERE replacement_status = 'uploading'
           AND id = (SELECT replaces FROM creative_assets WHERE id = $2 AND {UNSENT})
           AND {}",
        newest_take!(
            "creative_assets.id",
            "(SELECT t.created_at FROM creative_assets t WHERE t.id = $2)",
            "$2"
        )
    );
    run!(conn, c => sqlx::query(&sql)
        .bind(now_ms())
        .bind(take.to_string())
        .execute(&mut **c)
        .await
        .map(drop))?;
    Ok(())
}

impl Store {
    /// Frees the card of take `take`, whose create failed without handing out its URL: the card
    /// may take another file at once, while the reconciler settles the take like any unsent
    /// upload (Mux may have made it).
    pub async fn release_unsent_take(&self, take: AssetId) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        release_unsent(&mut tx.conn(), take).await?;
        tx.commit().await
    }

    /// Starts replacing `owner`'s READY card `card` with a new file of `file_size` bytes, in one
    /// transaction: claims the card (its replacement shows as uploading), gives up an earlier
    /// take still waiting for its file (its upload is cancelled by the deletion job), and inserts
    /// the take `take`. A take Mux is processing holds the card: no new one starts meanwhile;
    /// nor does one past the owner's `per_minute` uploads (0: no limit). Returns the card as
    /// claimed and the take.
    pub async fn start_replacement(
        &self,
        card: AssetId,
        owner: UserId,
        take: AssetId,
        file_size: i64,
        per_minute: u32,
    ) -> StoreResult<Result<(CreativeAsset, CreativeAsset), ReplaceRefused>> {
        let mut tx = self.begin().await?;
        let claimed = run!(&mut tx.conn(), c => sqlx::query(
            "UPDATE creative_assets SET replacement_status = 'uploading',
                replacement_error_type = NULL, replacement_error_message = NULL,
                version = version + 1, updated_at = $1
             WHERE id = $2 AND owner_id = $3 AND replaces IS NULL
               AND mux_processing_status = 'READY'
               AND (replacement_status IS NULL OR replacement_status IN ('uploading', 'error'))",
        )
        .bind(now_ms())
        .bind(card.to_string())
        .bind(owner.to_string())
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        let current = by_id(&mut tx.conn(), card)
            .await?
            .filter(|c| c.owner_id == owner && c.replaces.is_none());
        let current = match current {
            Some(c) if claimed == 1 => c,
            refused => {
                drop(tx); // rolled back
                return Ok(Err(match refused.map(|c| c.facts.status) {
                    None | Some(AssetStatus::Deleted) => ReplaceRefused::NotFound,
                    Some(AssetStatus::Ready) => ReplaceRefused::Busy,
                    Some(status) => ReplaceRefused::NotReady(status),
                }));
            }
        };
        let new = NewAsset {
            id: take,
            owner_id: owner,
            campaign_id: current.campaign_id,
            influencer_id: current.influencer_id,
            name: current.name.clone(),
            description: None,
            file_size: Some(file_size),
            encoding: current.encoding,
        };
        // A new file is an upload like any other for the per-minute limit (never for the
        // per-campaign one: the card is already counted).
        let quota = CreateQuota {
            per_minute,
            per_campaign: 0,
        };
        if let Some(OverQuota::TooMany { wait_ms }) =
            counted_quota(&mut tx.conn(), &new, quota).await?
        {
            drop(tx); // rolled back
            return Ok(Err(ReplaceRefused::TooMany { wait_ms }));
        }
        insert_row(&mut tx.conn(), &new).await?;
        run!(&mut tx.conn(), c => sqlx::query("UPDATE creative_assets SET replaces = $1 WHERE id = $2")
            .bind(card.to_string())
            .bind(take.to_string())
            .execute(&mut **c)
            .await
            .map(drop))?;
        let cause = Cause::User {
            user_id: owner.to_string(),
        };
        give_up_takes(&mut tx.conn(), card, &cause, Takes::WaitingBut(take)).await?;
        let inserted = by_id(&mut tx.conn(), take).await?;
        tx.commit().await?;
        let inserted = inserted.ok_or_else(|| {
            super::StoreError::Corrupt(format!("take {take} vanished after insert"))
        })?;
        Ok(Ok((current, inserted)))
    }
}
