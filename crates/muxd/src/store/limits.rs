//! What the service's limits read and write: ready assets longer than the duration limit
//! (through a partial index of READY rows by duration), and refusing one: it ends in error and
//! is marked for deletion on Mux, in one transaction.

use super::assets::{decode_all, AssetRow, COLUMNS};
use super::transitions::apply_event;
use super::{run, CreativeAsset, Store, StoreResult};
use crate::domain::{AssetId, Cause, Change, ErrorInfo, LifecycleEvent};

impl Store {
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
        let change = apply_event(&mut tx.conn(), id, &event, at_ms, cause, "").await?;
        if change.is_some() {
            run!(&mut tx.conn(), c => sqlx::query(
                "UPDATE creative_assets SET mux_delete_pending = TRUE WHERE id = $1"
            )
            .bind(id.to_string())
            .execute(&mut **c)
            .await
            .map(drop))?;
        }
        tx.commit().await?;
        Ok(change)
    }
}
