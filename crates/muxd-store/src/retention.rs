//! Forgetting what has outlived its retention, a small batch per statement, so a pass never
//! holds a lock (or SQLite's one writer) for long. Each table that grows with traffic is a
//! [`Prunable`]; what the host app may still need is never pruned: history records not yet
//! turned into outbound messages, and messages with a delivery still pending.

use super::{run, Store, StoreResult};

/// A table that grows with traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prunable {
    /// `webhook_events`, by when they were received.
    WebhookEvents,
    /// `asset_events`, by when the change was made, once the outbox has taken it.
    AssetHistory,
    /// `outbound_messages` whose deliveries are all finished, with their deliveries and attempts
    /// (deleted with them by the foreign keys' cascade).
    OutboundMessages,
}

impl Prunable {
    pub const ALL: [Prunable; 3] = [
        Prunable::WebhookEvents,
        Prunable::AssetHistory,
        Prunable::OutboundMessages,
    ];

    /// The table's name, as metrics and logs say it.
    pub fn as_str(self) -> &'static str {
        match self {
            Prunable::WebhookEvents => "webhook_events",
            Prunable::AssetHistory => "asset_events",
            Prunable::OutboundMessages => "outbound_messages",
        }
    }

    /// Deletes up to `$2` rows older than `$1` (unix ms). Each finds its rows through an index:
    /// `received_at`, `created_at`, or for history the primary key (ids grow with `at`), looking
    /// at no more than a batch of the oldest records, so a table with nothing to prune costs one
    /// short index read.
    fn sql(self) -> &'static str {
        match self {
            Prunable::WebhookEvents => {
                "DELETE FROM webhook_events WHERE id IN (
                    SELECT id FROM webhook_events WHERE received_at < $1
                    ORDER BY received_at LIMIT $2)"
            }
            Prunable::AssetHistory => {
                "DELETE FROM asset_events WHERE id IN (
                    SELECT id FROM (SELECT id, at, outbound FROM asset_events ORDER BY id LIMIT $2)
                        AS oldest
                    WHERE at < $1 AND outbound IS NULL)"
            }
            Prunable::OutboundMessages => {
                "DELETE FROM outbound_messages WHERE id IN (
                    SELECT m.id FROM outbound_messages m WHERE m.created_at < $1
                    AND NOT EXISTS (SELECT 1 FROM outbound_deliveries d
                        WHERE d.message_id = m.id AND d.status = 'pending')
                    ORDER BY m.created_at LIMIT $2)"
            }
        }
    }
}

impl Store {
    /// Deletes one batch of at most `batch` rows of `table` older than `before_ms`; returns how
    /// many (fewer than `batch`: nothing older is left to prune).
    pub async fn prune(&self, table: Prunable, before_ms: i64, batch: i64) -> StoreResult<u64> {
        let pruned = run!(&mut self.write().await?.conn(), c => sqlx::query(table.sql())
            .bind(before_ms)
            .bind(batch)
            .execute(&mut **c)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(pruned)
    }
}
