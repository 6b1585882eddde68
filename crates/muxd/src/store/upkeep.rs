//! What background jobs, health and admin tools read and fix in `creative_assets`: pending Mux
//! deletions, failed upload creation, playback repair, and the health figures.

use sqlx::Row;

use super::assets::{decode, CreativeAsset, COLUMNS};
use super::rows::parse;
use super::{now_ms, Store, StoreResult};
use crate::domain::{AssetId, AssetStatus};

impl Store {
    /// Rows whose Mux asset or upload still has to be deleted, oldest first.
    pub async fn pending_deletions(&self, limit: i64) -> StoreResult<Vec<CreativeAsset>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM creative_assets WHERE mux_delete_pending = 1 ORDER BY updated_at LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(decode)
        .collect()
    }

    /// Marks row `id`'s Mux deletion as done.
    pub async fn clear_delete_pending(&self, id: AssetId) -> StoreResult<()> {
        sqlx::query(
            "UPDATE creative_assets SET mux_delete_pending = 0, updated_at = $1 WHERE id = $2",
        )
        .bind(now_ms())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Replaces a READY row's playback id and URL (admin repair).
    pub async fn set_playback(&self, id: AssetId, playback_id: &str, url: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE creative_assets SET playback_id = $1, url = $2, version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(playback_id)
        .bind(url)
        .bind(now_ms())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks a row whose Mux upload could not be created, keeping it visible with the reason.
    pub async fn mark_upload_failed(&self, id: AssetId, message: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE creative_assets SET mux_processing_status = 'ERROR', error_type = 'upload_not_created',
                error_message = $1, error_source = 'upload', version = version + 1, updated_at = $2
             WHERE id = $3",
        )
        .bind(message)
        .bind(now_ms())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes a row that never reached Mux (its upload was definitely not created).
    pub async fn remove_unsent(&self, id: AssetId) -> StoreResult<()> {
        sqlx::query("DELETE FROM creative_assets WHERE id = $1 AND mux_upload_id IS NULL")
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Counts rows by status (health's `statusCounts`).
    pub async fn status_counts(&self) -> StoreResult<Vec<(AssetStatus, i64)>> {
        sqlx::query("SELECT mux_processing_status, COUNT(*) AS n FROM creative_assets GROUP BY mux_processing_status")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| Ok((parse(row, "mux_processing_status")?, row.try_get("n")?)))
            .collect()
    }

    /// Health's processing figures since `since_ms`: (became ready, errored, in flight now).
    pub async fn processing_stats(&self, since_ms: i64) -> StoreResult<(i64, i64, i64)> {
        let row = sqlx::query(
            "SELECT
                COALESCE(SUM(CASE WHEN mux_processing_status = 'READY' AND ready_at >= $1 THEN 1 ELSE 0 END), 0) AS ready,
                COALESCE(SUM(CASE WHEN mux_processing_status = 'ERROR' AND updated_at >= $1 THEN 1 ELSE 0 END), 0) AS errors,
                COALESCE(SUM(CASE WHEN mux_processing_status IN ('AWAITING_UPLOAD', 'MUX_PROCESSING') THEN 1 ELSE 0 END), 0) AS in_flight
             FROM creative_assets",
        )
        .bind(since_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok((
            row.try_get("ready")?,
            row.try_get("errors")?,
            row.try_get("in_flight")?,
        ))
    }
}
