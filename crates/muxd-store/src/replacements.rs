//! Replacing a card's video in place. The new file is a hidden take: a row of its own whose
//! `replaces` names the card, so the lifecycle, the ingest lookups and the reconciler run for it
//! unchanged. Starting a replacement claims the card (one take in flight at a time: a new one
//! supersedes one still waiting for its file, and waits for one being processed); every change
//! of the take is mirrored on its card (`apply::follow`, in the transaction of that change); when the
//! take turns READY the card takes its Mux facts and the take takes the card's old asset, DELETED
//! and marked for deletion, so the deletion job removes it on Mux with its backoff.

use super::apply::{give_up_takes, newest_take, Takes};
use super::assets::{by_id, insert_row, CreativeAsset, NewAsset, UNSENT};
use super::limits::counted_quota;
use super::{now_ms, run, Conn, CreateQuota, OverQuota, Store, StoreResult};
use muxd_domain::{AssetId, AssetStatus, Cause, UserId};

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
