//! The core every other layer stands on, and which knows nothing of HTTP: the `Emulator` (the
//! shared state every handler and background task holds), the resource store, the clock, ids,
//! upload progress, and handles on the fault engine, the webhook queue and the request log.
//!
//! Its operations are the few that touch several parts at once: queueing a webhook event with a
//! fresh id and timestamp, expiring uploads past their timeout, spawning a task that ends at
//! shutdown. With a kept data dir it also loads the state saved there by an earlier run and
//! keeps saving it (`persist`). Everything above (domain operations, HTTP handlers, wiring) imports this; this
//! imports only the leaves (`config`, `faults`, `probe`, `request_log`, `webhooks`).

mod clock;
pub mod ids;
pub mod model;
mod persist;
pub mod progress;
pub mod static_renditions;
mod store;
pub mod text_tracks;

pub use clock::{Clock, Deadline};
pub use ids::Ids;
pub use store::{AssetQuery, Store};

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::EmulatorConfig;
use crate::faults::{FaultEngine, RateLimiter};
use crate::request_log::RequestLog;
use crate::transcripts::Transcripts;
use crate::webhooks::{Event, RetryPolicy, Targets, Webhooks};
use model::{Asset, Render, Upload};
use persist::StateFile;
use progress::ProgressMap;
use text_tracks::TextTrack;

/// Where uploaded files (`media/`) and, if kept, the state file (`state.json`) go: a directory,
/// and the temp dir that owns it (if it is one), which is removed when the emulator is dropped.
pub struct DataDir {
    pub path: PathBuf,
    temp: Option<TempDir>,
}

impl DataDir {
    /// A directory that outlives the emulator: state and media survive restarts.
    pub fn kept(path: PathBuf) -> Self {
        Self { path, temp: None }
    }

    fn is_kept(&self) -> bool {
        self.temp.is_none()
    }

    /// Where uploaded files are written (created by `app` at start).
    pub fn media(&self) -> PathBuf {
        self.path.join("media")
    }

    /// A temp dir, removed when the emulator is dropped.
    pub fn temporary(temp: TempDir) -> Self {
        Self {
            path: temp.path().to_owned(),
            temp: Some(temp),
        }
    }
}

pub struct Emulator {
    pub base_url: String,
    pub token_id: String,
    pub token_secret: String,
    pub processing_delay: Duration,
    /// See [`EmulatorConfig::allow_private_inputs`].
    pub allow_private_inputs: bool,
    /// See [`EmulatorConfig::text_track_delay`].
    pub text_track_delay: Duration,
    /// See [`EmulatorConfig::transcripts`].
    pub transcripts: Transcripts,
    pub store: Store,
    pub ids: Ids,
    pub clock: Clock,
    pub faults: FaultEngine,
    pub rate_limiter: RateLimiter,
    pub webhooks: Webhooks,
    pub request_log: RequestLog,
    pub data_dir: DataDir,
    pub progress: ProgressMap,
    pub shutdown: CancellationToken,
    pub tasks: TaskTracker,
}

impl Emulator {
    /// The state of an emulator reachable at `base_url`: fresh, or with a kept data dir what an
    /// earlier run saved there (an error if that cannot be read). Nothing runs yet.
    pub fn new(config: EmulatorConfig, base_url: String, data_dir: DataDir) -> io::Result<Self> {
        let (store, start) = if data_dir.is_kept() {
            let (file, resources) = StateFile::open(&data_dir.path, &base_url)?;
            let start = file.start();
            (Store::persistent(file, resources)?, start)
        } else {
            (Store::default(), 1)
        };
        let seed = config.seed.unwrap_or_else(rand::random);
        Ok(Self {
            base_url,
            token_id: config.token_id,
            token_secret: config.token_secret,
            processing_delay: config.processing_delay,
            allow_private_inputs: config.allow_private_inputs,
            text_track_delay: config.text_track_delay,
            transcripts: config.transcripts,
            store,
            ids: Ids::new(seed, start),
            clock: Clock::default(),
            faults: FaultEngine::new(config.faults, seed),
            rate_limiter: RateLimiter::new(config.rate_limits),
            webhooks: Webhooks::new(
                Targets {
                    urls: config.webhook_urls,
                    signing_secret: config.signing_secret,
                },
                (config.environment_name, config.environment_id),
                RetryPolicy {
                    window: config.webhook_retry_window,
                    time_scale: config.webhook_time_scale,
                    attempt_timeout: config.webhook_attempt_timeout,
                },
            ),
            request_log: RequestLog::default(),
            data_dir,
            progress: ProgressMap::default(),
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
        })
    }

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

    /// The upload's snapshot as webhook data.
    pub fn emit_upload(&self, event_type: &str, upload: &Upload) {
        self.emit(event_type, "upload", &upload.id, upload.render());
    }

    /// The asset's snapshot as webhook data.
    pub fn emit_asset(&self, event_type: &str, asset: &Asset) {
        self.emit(
            event_type,
            "asset",
            &asset.id,
            asset.render(Render::Webhook),
        );
    }

    /// A `video.asset.track.*` event: the track object plus `asset_id` (docs/mux-facts.md §10).
    pub fn emit_track(&self, event_type: &str, asset_id: &str, track: &TextTrack) {
        self.emit(event_type, "asset", asset_id, track.webhook_data(asset_id));
    }

    /// Flips uploads past their timeout to `timed_out`. Mux sends no event for this
    /// (docs/mux-facts.md §5.2, §9.5), so neither does the emulator.
    pub fn expire_due(&self) {
        for upload in self.store.expire_uploads(self.clock.unix_s()) {
            tracing::info!(upload.id = %upload.id, "upload timed out");
        }
    }

    /// Where an upload's bytes are written.
    pub fn upload_path(&self, upload_id: &str) -> PathBuf {
        self.data_dir.media().join(format!("{upload_id}.upload"))
    }

    /// Where a URL-made asset's input is kept once fully downloaded.
    pub fn input_path(&self, asset_id: &str) -> PathBuf {
        self.data_dir.media().join(format!("{asset_id}.input"))
    }

    /// Where a ready text track's cues are kept, as WebVTT.
    pub fn track_path(&self, track_id: &str) -> PathBuf {
        self.data_dir.media().join(format!("{track_id}.vtt"))
    }

    /// Where a supplied text track's file is downloaded to before it is parsed.
    pub fn track_source_path(&self, track_id: &str) -> PathBuf {
        self.data_dir.media().join(format!("{track_id}.source"))
    }

    /// The asset's media file: its upload's bytes, or its downloaded input.
    pub fn media_path(&self, asset: &Asset) -> PathBuf {
        match &asset.upload_id {
            Some(upload_id) => self.upload_path(upload_id),
            None => self.input_path(&asset.id),
        }
    }
}
