//! What background jobs, health and admin tools read and fix in `creative_assets`: pending Mux
//! deletions, failed upload creation, playback repair, and the health figures.

use super::assets::{decode_all, AssetRow, CreativeAsset, COLUMNS};
use super::rows::parse;
use super::{now_ms, run, Store, StoreResult};
use crate::domain::{AssetId, AssetStatus};

impl Store {
    /// Rows whose Mux asset or upload still has to be deleted, oldest first.
    pub async fn pending_deletions(&self, limit: i64) -> StoreResult<Vec<CreativeAsset>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM creative_assets WHERE mux_delete_pending ORDER BY updated_at LIMIT $1"
        );
        let rows: Vec<AssetRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
            .bind(limit)
            .fetch_all(&mut **c)
            .await)?;
        decode_all(rows)
    }

    /// Marks row `id`'s Mux deletion as done.
    pub async fn clear_delete_pending(&self, id: AssetId) -> StoreResult<()> {
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "UPDATE creative_assets SET mux_delete_pending = FALSE, updated_at = $1 WHERE id = $2",
        )
        .bind(now_ms())
        .bind(id.to_string())
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Replaces a READY row's playback id and URL (admin repair).
    pub async fn set_playback(&self, id: AssetId, playback_id: &str, url: &str) -> StoreResult<()> {
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "UPDATE creative_assets SET playback_id = $1, url = $2, version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(playback_id)
        .bind(url)
        .bind(now_ms())
        .bind(id.to_string())
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Marks a row whose Mux upload could not be created, keeping it visible with the reason.
    pub async fn mark_upload_failed(&self, id: AssetId, message: &str) -> StoreResult<()> {
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "UPDATE creative_assets SET mux_processing_status = 'ERROR', error_type = 'upload_not_created',
                error_message = $1, error_source = 'upload', version = version + 1, updated_at = $2
             WHERE id = $3",
        )
        .bind(message)
        .bind(now_ms())
        .bind(id.to_string())
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Removes a row that never reached Mux (its upload was definitely not created).
    pub async fn remove_unsent(&self, id: AssetId) -> StoreResult<()> {
        run!(&mut self.write().await?.conn(), c => sqlx::query("DELETE FROM creative_assets WHERE id = $1 AND mux_upload_id IS NULL")
            .bind(id.to_string())
            .execute(&mut **c)
            .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Counts rows by status (health's `statusCounts`).
    pub async fn status_counts(&self) -> StoreResult<Vec<(AssetStatus, i64)>> {
        let rows: Vec<(String, i64)> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(
            "SELECT mux_processing_status, COUNT(*) AS n FROM creative_assets GROUP BY mux_processing_status",
        )
        .fetch_all(&mut **c)
        .await)?;
        rows.into_iter()
            .map(|(status, n)| Ok((parse("mux_processing_status", &status)?, n)))
            .collect()
    }

    /// Health's processing figures since `since_ms`: (became ready, errored, in flight now).
    pub async fn processing_stats(&self, since_ms: i64) -> StoreResult<(i64, i64, i64)> {
        Ok(run!(&mut self.read().await?.conn(), c => sqlx::query_as(
            "SELECT
                COALESCE(SUM(CASE WHEN mux_processing_status = 'READY' AND ready_at >= $1 THEN 1 ELSE 0 END), 0) AS ready,
                COALESCE(SUM(CASE WHEN mux_processing_status = 'ERROR' AND updated_at >= $1 THEN 1 ELSE 0 END), 0) AS errors,
                COALESCE(SUM(CASE WHEN mux_processing_status IN ('AWAITING_UPLOAD', 'MUX_PROCESSING') THEN 1 ELSE 0 END), 0) AS in_flight
             FROM creative_assets",
        )
        .bind(since_ms)
        .fetch_one(&mut **c)
        .await)?)
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
