//! The reconciler's view of `creative_assets`: which in-flight rows are due for a poll, a lease so
//! that several muxd instances on one database never poll the same row at once (a conditional
//! update, portable to both backends), and recording where a row's polling session stands.

use super::assets::{decode_all, AssetRow, CreativeAsset, COLUMNS};
use super::{run, Store, StoreResult};
use muxd_domain::AssetId;

/// Where a row's polling session goes after a poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStep {
    /// Poll again at `next_at`; `failures` consecutive polls have failed.
    Continue { next_at: i64, failures: i64 },
    /// The session ended unresolved: mark stuck, sweep again at `next_at`.
    Stuck { next_at: i64 },
    /// Stop polling this row.
    GiveUp,
    /// The row is no longer in flight; the session is over.
    Done,
}

impl Store {
    /// In-flight rows due for a poll at `now`, not leased by anyone: rows with no session whose
    /// last change is older than `quiet_since`, and rows whose session says it is time. A row is
    /// polled once Mux knows it by an upload or, for a video from a link, by its asset.
    pub async fn due_for_poll(
        &self,
        now: i64,
        quiet_since: i64,
        limit: i64,
    ) -> StoreResult<Vec<CreativeAsset>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM creative_assets
             WHERE mux_processing_status IN ('AWAITING_UPLOAD', 'MUX_PROCESSING')
               AND (mux_upload_id IS NOT NULL OR mux_asset_id IS NOT NULL) AND NOT poll_given_up
               AND (lease_until IS NULL OR lease_until < $1)
               AND ((poll_started_at IS NULL AND updated_at <= $2)
                    OR (poll_started_at IS NOT NULL AND COALESCE(next_poll_at, 0) <= $1))
             ORDER BY updated_at LIMIT $3"
        );
        let rows: Vec<AssetRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
            .bind(now)
            .bind(quiet_since)
            .bind(limit)
            .fetch_all(&mut **c)
            .await)?;
        decode_all(rows)
    }

    /// Takes row `id` for `owner` until `until`, unless another owner holds an unexpired lease or
    /// the row stopped being due (another instance polled it since the caller read it as due).
    pub async fn take_lease(
        &self,
        id: AssetId,
        owner: &str,
        now: i64,
        until: i64,
    ) -> StoreResult<bool> {
        let taken = run!(&mut self.write().await?.conn(), c => sqlx::query(
            "UPDATE creative_assets SET lease_owner = $1, lease_until = $2
             WHERE id = $3 AND (lease_until IS NULL OR lease_until < $4)
               AND mux_processing_status IN ('AWAITING_UPLOAD', 'MUX_PROCESSING')
               AND NOT poll_given_up AND COALESCE(next_poll_at, 0) <= $4",
        )
        .bind(owner)
        .bind(until)
        .bind(id.to_string())
        .bind(now)
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(taken == 1)
    }

    /// Records `step` for row `id` and releases `owner`'s lease. Does not touch `updated_at`, so
    /// bookkeeping never looks like news about the asset.
    pub async fn finish_poll(
        &self,
        id: AssetId,
        owner: &str,
        now: i64,
        step: SessionStep,
    ) -> StoreResult<()> {
        let (next_at, failures, stuck, given_up, session) = match step {
            SessionStep::Continue { next_at, failures } => {
                (Some(next_at), failures, false, false, true)
            }
            SessionStep::Stuck { next_at } => (Some(next_at), 0, true, false, true),
            SessionStep::GiveUp => (None, 0, true, true, true),
            SessionStep::Done => (None, 0, false, false, false),
        };
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "UPDATE creative_assets SET lease_owner = NULL, lease_until = NULL,
                poll_started_at = CASE WHEN $1 THEN COALESCE(poll_started_at, $2) ELSE NULL END,
                next_poll_at = $3, poll_failures = $4, poll_given_up = $5,
                stuck_since = CASE WHEN $6 THEN COALESCE(stuck_since, $2) ELSE stuck_since END
             WHERE id = $7 AND lease_owner = $8",
        )
        .bind(session)
        .bind(now)
        .bind(next_at)
        .bind(failures)
        .bind(given_up)
        .bind(stuck)
        .bind(id.to_string())
        .bind(owner)
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }
}
