//! What background jobs, health and admin tools read and fix in `creative_assets`: pending Mux
//! deletions, interrupted creates, playback repair, and what `muxd doctor` reads.

use super::assets::{CreativeAsset, UNSENT};
use super::{now_ms, run, Store, StoreResult};
use muxd_domain::AssetId;

impl Store {
    /// Rows whose Mux asset or upload still has to be deleted and whose backoff is over at
    /// `now`, longest waiting first.
    pub async fn pending_deletions(&self, now: i64, limit: i64) -> StoreResult<Vec<CreativeAsset>> {
        self.rows_where(
            "WHERE mux_delete_pending AND (next_delete_at IS NULL OR next_delete_at <= $1)
             ORDER BY next_delete_at",
            now,
            limit,
        )
        .await
    }

    /// Counts one more failed attempt at row `id`'s Mux deletion; the next is due at `next_at`.
    pub async fn defer_deletion(&self, id: AssetId, next_at: i64) -> StoreResult<()> {
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "UPDATE creative_assets SET delete_attempts = delete_attempts + 1, next_delete_at = $1
             WHERE id = $2 AND mux_delete_pending",
        )
        .bind(next_at)
        .bind(id.to_string())
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Marks row `id`'s Mux deletion as done.
    pub async fn clear_delete_pending(&self, id: AssetId) -> StoreResult<()> {
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "UPDATE creative_assets SET mux_delete_pending = FALSE, next_delete_at = NULL, updated_at = $1
             WHERE id = $2",
        )
        .bind(now_ms())
        .bind(id.to_string())
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Removes a row whose create never recorded its upload URL (the upload surely was not
    /// created, or the reconciler settled it). Returns whether it did; a row whose create
    /// finished meanwhile stays, and so does an adopted row, which never has an upload URL.
    pub async fn remove_unsent(&self, id: AssetId) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        super::replacements::release_unsent(&mut tx.conn(), id).await?;
        let sql = format!("DELETE FROM creative_assets WHERE id = $1 AND {UNSENT}");
        let removed = run!(&mut tx.conn(), c => sqlx::query(&sql)
        .bind(id.to_string())
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(removed == 1)
    }

    /// Rows created before `cutoff_ms` whose create never recorded the upload URL, oldest first:
    /// creates that were interrupted, or whose Mux call failed ambiguously. Their owners never got
    /// a URL. (Such a row may know its upload id, learned from a webhook.) Adopted rows, which
    /// have no upload URL by nature, are never among them.
    pub async fn unsent_before(
        &self,
        cutoff_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<CreativeAsset>> {
        let rest = format!("WHERE {UNSENT} AND created_at < $1 ORDER BY created_at");
        self.rows_where(&rest, cutoff_ms, limit).await
    }

    /// Points every stored playback URL at `stream_base` (`muxd dev`, whose emulator serves
    /// playback on a new port each run). Returns how many rows changed.
    pub async fn rebase_playback_urls(&self, stream_base: &str) -> StoreResult<u64> {
        let prefix = format!("{}/", stream_base.trim_end_matches('/'));
        Ok(run!(&mut self.write().await?.conn(), c => sqlx::query(
            "UPDATE creative_assets SET url = $1 || playback_id || '.m3u8'
             WHERE url IS NOT NULL AND playback_id IS NOT NULL AND url <> $1 || playback_id || '.m3u8'",
        )
        .bind(prefix)
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?)
    }

    /// How many schema migrations have been applied (`muxd doctor`).
    pub async fn applied_migrations(&self) -> StoreResult<i64> {
        Ok(
            run!(&mut self.read().await?.conn(), c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE",
        )
        .fetch_one(&mut **c)
        .await)?,
        )
    }
}
