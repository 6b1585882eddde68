//! What processing-time analytics read: the READY rows that became ready since a moment, newest
//! first and capped, through the partial `ready_at` index (migration 0004), so a read costs what
//! the window holds (at most the cap), never the table's size.

use super::{run, Store, StoreResult};

/// The query of [`Store::ready_since`]: READY rows ready at or after `$1`, newest first, at most
/// `$2` (public so a test can check its plan takes the index). `ready_at IS NOT NULL` states the
/// partial index's condition, so both planners take it whatever `$1` is. Only muxd's own uploads
/// count: an adopted asset was uploaded before muxd knew of it, and a replaced one's times
/// belong to two uploads (its new file's are in the histogram, observed as its take turned READY).
pub const READY_SINCE: &str = "
    SELECT created_at, processing_at, ready_at, resolution_tier, file_size FROM creative_assets
    WHERE ready_at IS NOT NULL AND ready_at >= $1 AND mux_processing_status = 'READY'
        AND origin = 'upload' AND replaced_at IS NULL
    ORDER BY ready_at DESC LIMIT $2";

/// The times and kind of one upload that became ready.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ProcessedRow {
    /// When muxd handed out the upload URL (unix ms, muxd's clock).
    pub created_at: i64,
    /// When Mux had the whole file and created the asset (unix ms, Mux's stamp), if known.
    pub processing_at: Option<i64>,
    /// When Mux said the asset was ready (unix ms, Mux's stamp).
    pub ready_at: i64,
    pub resolution_tier: Option<String>,
    /// The file's size in bytes as the uploader announced it, if they did.
    pub file_size: Option<i64>,
}

impl Store {
    /// The READY rows that became ready since `since_ms`, newest first, at most `cap`.
    pub async fn ready_since(&self, since_ms: i64, cap: i64) -> StoreResult<Vec<ProcessedRow>> {
        let mut pooled = self.read().await?;
        let rows: Vec<ProcessedRow> = run!(&mut pooled.conn(), c => sqlx::query_as(READY_SINCE)
            .bind(since_ms)
            .bind(cap)
            .fetch_all(&mut **c)
            .await)?;
        Ok(rows)
    }
}
