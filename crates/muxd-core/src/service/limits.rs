//! The service's limits that only Mux's answer reveals, enforced once an asset is ready: a video
//! longer than `MUXD_MAX_DURATION_SECS` is refused (it ends in error, saying why, and is marked
//! for deletion on Mux, which the deletion job carries out), and its owner's pages hear of it.

use super::live::{AssetChanged, LiveHub};
use muxd_domain::limits::duration_refusal;
use muxd_domain::Cause;
use muxd_store::{Store, StoreResult};

/// Rows refused per step.
const BATCH: i64 = 100;

/// The limits. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Limits {
    pub store: Store,
    pub live: LiveHub,
    /// Longest video kept, in seconds (0: no limit).
    pub max_duration_secs: u64,
}

impl Limits {
    /// Refuses the ready assets over the duration limit, as of `now_ms`. Returns how many.
    pub async fn run_once(&self, now_ms: i64) -> StoreResult<usize> {
        if self.max_duration_secs == 0 {
            return Ok(0);
        }
        let cause = Cause::Limit {
            rule: "max_duration".into(),
        };
        let mut refused = 0;
        for row in self
            .store
            .ready_longer_than(self.max_duration_secs, BATCH)
            .await?
        {
            let Some(error) = duration_refusal(row.facts.ready.duration_s, self.max_duration_secs)
            else {
                continue;
            };
            // Later than Mux's ready, whatever the clocks say, so the refusal decides.
            let at = now_ms.max(row.facts.decided_at_ms.unwrap_or(0) + 1);
            if let Some(change) = self.store.refuse(row.id, error, at, &cause).await? {
                self.live.publish(AssetChanged {
                    asset_id: row.id,
                    owner_id: row.owner_id,
                    status: change.to,
                });
                refused += 1;
            }
        }
        Ok(refused)
    }
}
