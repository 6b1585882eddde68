//! The shared state every handler and background task sees, and the few operations that touch
//! several parts of it (emitting events, expiring uploads, spawning tracked tasks).

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::faults::{FaultEngine, RateLimiter};
use crate::request_log::RequestLog;
use crate::state::model::Render;
use crate::state::{Clock, Ids, Store};
use crate::upload::Progress;
use crate::webhooks::{Event, Webhooks};

pub struct Emulator {
    pub base_url: String,
    pub token_id: String,
    pub token_secret: String,
    pub processing_delay: std::time::Duration,
    pub store: Store,
    pub ids: Ids,
    pub clock: Clock,
    pub faults: FaultEngine,
    pub rate_limiter: RateLimiter,
    pub webhooks: Webhooks,
    pub request_log: RequestLog,
    pub data_dir: PathBuf,
    /// Owns the temp data dir (if any) so it is removed when the emulator is dropped.
    pub _temp_dir: Option<TempDir>,
    /// Per-upload write state; its async lock serialises PUTs to one upload.
    pub progress: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Progress>>>>,
    pub shutdown: CancellationToken,
    pub tasks: TaskTracker,
}

impl Emulator {
    /// Spawns a background task that ends at shutdown.
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let token = self.shutdown.clone();
        self.tasks.spawn(async move {
            tokio::select! {
                _ = token.cancelled() => {}
                _ = task => {}
            }
        });
    }

    /// Queues a webhook event about `object_type`/`object_id` with `data` as its snapshot.
    pub fn emit(&self, event_type: &str, object_type: &'static str, object_id: &str, data: Value) {
        self.webhooks.emit(Event {
            id: self.ids.uuid().to_string(),
            event_type: event_type.to_owned(),
            created_at: self.clock.iso(),
            object_type,
            object_id: object_id.to_owned(),
            data,
        });
    }

    /// Flips uploads past their timeout to `timed_out`. Mux sends no event for this
    /// (mux-api.md §5.2, §9.5), so neither does the emulator.
    pub fn expire_due(&self) {
        for upload in self.store.expire_uploads(self.clock.unix_s()) {
            tracing::info!(upload.id = %upload.id, "upload timed out");
        }
    }

    /// Where an upload's bytes are written.
    pub fn upload_path(&self, upload_id: &str) -> PathBuf {
        self.data_dir.join(format!("{upload_id}.upload"))
    }

    /// The upload's snapshot as webhook data.
    pub fn emit_upload(&self, event_type: &str, upload: &crate::state::model::Upload) {
        self.emit(event_type, "upload", &upload.id, upload.render());
    }

    /// The asset's snapshot as webhook data.
    pub fn emit_asset(&self, event_type: &str, asset: &crate::state::model::Asset) {
        self.emit(
            event_type,
            "asset",
            &asset.id,
            asset.render(Render::Webhook),
        );
    }
}
