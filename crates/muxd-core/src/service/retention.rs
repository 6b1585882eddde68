//! Data has a lifetime: each table that grows with traffic is pruned of what is older than its
//! retention setting, in small batches with a pause between them, so a pass never holds a lock
//! for long and webhooks keep their pace while it runs. What the host app may still need is kept
//! (see `store::retention`).

use std::time::Duration;

use crate::config::OperationSettings;
use muxd_store::retention::Prunable;
use muxd_store::{Store, StoreResult};

/// Rows deleted per statement.
pub const BATCH: i64 = 500;
/// The pause between two batches, which lets other writers in.
const PAUSE: Duration = Duration::from_millis(20);

/// The pruning step. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Retention {
    pub store: Store,
    /// How long each table keeps its rows; `None` keeps them forever.
    pub keep: [(Prunable, Option<Duration>); 3],
}

impl Retention {
    pub fn new(store: Store, settings: &OperationSettings) -> Self {
        Self {
            store,
            keep: [
                (Prunable::WebhookEvents, Some(settings.webhook_retention)),
                (Prunable::AssetHistory, settings.history_retention),
                (Prunable::OutboundMessages, settings.outbound_retention),
            ],
        }
    }

    /// Prunes every table of what was older than its retention at `now_ms`, then refreshes the
    /// planner's statistics (SQLite). Returns how many rows each table lost.
    pub async fn run_once(&self, now_ms: i64) -> StoreResult<Vec<(Prunable, u64)>> {
        let mut pruned = Vec::new();
        for (table, keep) in self.keep {
            let Some(keep) = keep else { continue };
            let before = now_ms.saturating_sub(i64::try_from(keep.as_millis()).unwrap_or(i64::MAX));
            let mut total = 0;
            loop {
                let batch = self.store.prune(table, before, BATCH).await?;
                total += batch;
                if batch < BATCH as u64 {
                    break;
                }
                tokio::time::sleep(PAUSE).await;
            }
            metrics::counter!("muxd_pruned_rows_total", "table" => table.as_str()).increment(total);
            if total > 0 {
                tracing::info!(
                    table = table.as_str(),
                    rows = total,
                    "pruned rows past their retention"
                );
            }
            pruned.push((table, total));
        }
        self.store.refresh_statistics().await?;
        Ok(pruned)
    }
}
