//! What the service's limits read and write: a new upload's row inserted only within the
//! user's quotas, counted in the database so they hold across instances; ready assets longer
//! than the duration limit (through a partial index of READY rows by duration), and refusing
//! one: it ends in error and is marked for deletion on Mux, in one transaction.

use super::apply::end_and_mark;
use super::assets::{decode_all, insert_row, AssetRow, COLUMNS};
use super::{now_ms, run, Conn, CreativeAsset, NewAsset, Store, StoreResult};
use muxd_domain::{AssetId, CampaignId, Cause, Change, ErrorInfo, LifecycleEvent, UserId};

/// The window of the per-user create limit.
const MINUTE_MS: i64 = 60_000;

/// What one user may create (0: no limit).
#[derive(Clone, Copy, Debug, Default)]
pub struct CreateQuota {
    /// Uploads in any 60 s (deleted ones included).
    pub per_minute: u32,
    /// Videos held in one campaign (deleted ones not included).
    pub per_campaign: u64,
}

/// Why a new row was not inserted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverQuota {
    /// The user created `per_minute` uploads in the last 60 s; one more is allowed in this many
    /// milliseconds.
    TooMany { wait_ms: i64 },
    /// The user holds this many videos in the campaign already.
    Campaign { held: u64 },
}

impl Store {
    /// Inserts `new` (as [`Store::insert_asset`]) unless its owner is over `quota`, counting and
    /// inserting in one transaction that creates of the same user queue behind: SQLite has one
    /// writer; PostgreSQL takes a transaction-scoped advisory lock on the user first, so
    /// instances sharing the database count each other's rows.
    pub async fn insert_within_quota(
        &self,
        new: &NewAsset,
        quota: CreateQuota,
    ) -> StoreResult<Result<CreativeAsset, OverQuota>> {
        let mut tx = self.begin().await?;
        let mut conn = tx.conn();
        if let Some(over) = counted_quota(&mut conn, new, quota).await? {
            return Ok(Err(over));
        }
        let asset = insert_row(&mut conn, new).await?;
        tx.commit().await?;
        Ok(Ok(asset))
    }

    /// Up to `limit` READY rows longer than `max_s` seconds.
    pub async fn ready_longer_than(
        &self,
        max_s: u64,
        limit: i64,
    ) -> StoreResult<Vec<CreativeAsset>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM creative_assets
             WHERE mux_processing_status = 'READY' AND duration_s > $1 LIMIT $2"
        );
        let rows: Vec<AssetRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
            .bind(max_s as f64)
            .bind(limit)
            .fetch_all(&mut **c)
            .await)?;
        decode_all(rows)
    }

    /// Refuses row `id` (`error` says why, at `at_ms`) and marks its Mux asset for deletion.
    /// Returns the change, or `None` if nothing changed.
    pub async fn refuse(
        &self,
        id: AssetId,
        error: ErrorInfo,
        at_ms: i64,
        cause: &Cause,
    ) -> StoreResult<Option<Change>> {
        let mut tx = self.begin().await?;
        let event = LifecycleEvent::Refused { error };
        let change = end_and_mark(&mut tx.conn(), id, &event, at_ms, cause).await?;
        tx.commit().await?;
        Ok(change)
    }
}

/// Which of `quota` one more row of `new`'s owner would break, if any, counted so that creates
/// of the same user queue behind one another (on PostgreSQL, a transaction-scoped advisory lock
/// on the user first; SQLite has one writer). Call inside the transaction that inserts the row.
pub(super) async fn counted_quota(
    conn: &mut Conn<'_>,
    new: &NewAsset,
    quota: CreateQuota,
) -> StoreResult<Option<OverQuota>> {
    if let Conn::Postgres(c) = conn {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(format!("muxd.create:{}", new.owner_id))
            .execute(&mut **c)
            .await?;
    }
    over_quota(conn, new, quota).await
}

/// Which of `quota` one more row of `new`'s owner would break, if any.
async fn over_quota(
    conn: &mut Conn<'_>,
    new: &NewAsset,
    quota: CreateQuota,
) -> StoreResult<Option<OverQuota>> {
    if quota.per_minute > 0 {
        // The `per_minute`-th newest create of the window: while it is in the window, so are
        // `per_minute` creates.
        let now = now_ms();
        let nth: Option<i64> = run!(conn, c => sqlx::query_scalar(
            "SELECT created_at FROM creative_assets
             WHERE owner_id = $1 AND origin = 'upload' AND created_at > $2
             ORDER BY created_at DESC LIMIT 1 OFFSET $3",
        )
        .bind(new.owner_id.to_string())
        .bind(now - MINUTE_MS)
        .bind(i64::from(quota.per_minute) - 1)
        .fetch_optional(&mut **c)
        .await)?;
        if let Some(at) = nth {
            return Ok(Some(OverQuota::TooMany {
                wait_ms: (at + MINUTE_MS - now).max(1),
            }));
        }
    }
    if let (Some(campaign), true) = (new.campaign_id, quota.per_campaign > 0) {
        let held = videos_in_campaign(conn, campaign, new.owner_id).await?;
        if held >= quota.per_campaign {
            return Ok(Some(OverQuota::Campaign { held }));
        }
    }
    Ok(None)
}

/// How many not-deleted videos `user` has in `campaign` (a card's pending new file is not one).
async fn videos_in_campaign(
    conn: &mut Conn<'_>,
    campaign: CampaignId,
    user: UserId,
) -> StoreResult<u64> {
    let count: i64 = run!(conn, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM creative_assets
         WHERE owner_id = $1 AND campaign_id = $2 AND mux_processing_status <> 'DELETED'
           AND replaces IS NULL",
    )
    .bind(user.to_string())
    .bind(campaign.to_string())
    .fetch_one(&mut **c)
    .await)?;
    Ok(u64::try_from(count).unwrap_or_default())
}
