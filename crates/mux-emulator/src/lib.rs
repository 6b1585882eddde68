//! A stateful, fault-injecting emulator of the Mux Video API, for tests and local development
//! (design.md §8; the facts it matches are in shared/mux-api.md).
//!
//! Start one in-process with [`start`] or [`start_on_ephemeral_port`] and talk to it at
//! [`EmulatorHandle::base_url`]; `muxd emulator` runs it alone through [`cli::run`].
//!
//! # Layout
//! - [`config`]: `EmulatorConfig`, everything settable at start.
//! - `routes`: the route table; `server`: the accept loop (it can drop connections on purpose).
//! - `api/`: `/video/v1` (uploads, assets, playback ids), Basic auth, Mux error envelopes.
//! - `upload/`: the upload URL: whole or chunked PUTs streamed to disk, CORS.
//! - `processing`: upload complete → asset `preparing` → probe → `ready`/`errored`.
//! - [`probe`]: media probe (MP4/MOV via mp4parse, WebM via matroska-demuxer).
//! - [`webhooks`]: envelopes, signatures, delivery with retries.
//! - [`faults`]: API fault rules, webhook faults, rate limits, all seeded.
//! - `gate`: faults, rate limits and the request log in front of every Mux-facing route.
//! - `control`: the `/_emulator` control API; `playback`: `/stream/…`.
//! - [`handle`]: `EmulatorHandle`; [`cli`]: `EmulatorArgs` and `run`.

mod api;
mod app;
pub mod cli;
pub mod config;
mod control;
pub mod faults;
mod gate;
pub mod handle;
mod playback;
pub mod probe;
mod processing;
pub mod request_log;
mod routes;
mod server;
mod state;
mod upload;
pub mod webhooks;

pub use config::EmulatorConfig;
pub use faults::{ApiFaultAction, ApiFaultRule, FaultConfig, WebhookFaults};
pub use handle::EmulatorHandle;
pub use request_log::LoggedRequest;
pub use state::model::{Asset, AssetStatus, PlaybackId, Upload, UploadStatus};
pub use webhooks::{Attempt, Delivery, Outcome};

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use app::Emulator;
use faults::{FaultEngine, RateLimiter};
use state::{Clock, Ids, Store};
use webhooks::{RetryPolicy, Targets, Webhooks};

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("could not read the listener's address: {0}")]
    Listener(#[source] std::io::Error),
    #[error("could not prepare the data dir: {0}")]
    DataDir(#[source] std::io::Error),
}

/// How often uploads past their timeout are flipped to `timed_out` even if nobody asks.
const TIMEOUT_SWEEP: Duration = Duration::from_millis(500);

/// Starts an emulator serving on `listener`; it runs until the handle is shut down or dropped.
pub async fn start(
    config: EmulatorConfig,
    listener: TcpListener,
) -> Result<EmulatorHandle, StartError> {
    let addr = listener.local_addr().map_err(StartError::Listener)?;
    let host = if addr.ip().is_unspecified() {
        Ipv4Addr::LOCALHOST.into()
    } else {
        addr.ip()
    };
    let base_url = format!("http://{}", SocketAddr::new(host, addr.port()));
    let (data_dir, temp_dir) = match config.data_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(StartError::DataDir)?;
            (dir, None)
        }
        None => {
            let temp = tempfile::Builder::new()
                .prefix("mux-emulator-")
                .tempdir()
                .map_err(StartError::DataDir)?;
            (temp.path().to_owned(), Some(temp))
        }
    };
    let emu = Arc::new(Emulator {
        base_url,
        token_id: config.token_id,
        token_secret: config.token_secret,
        processing_delay: config.processing_delay,
        store: Store::default(),
        ids: Ids::new(config.seed),
        clock: Clock::default(),
        faults: FaultEngine::new(config.faults, config.seed),
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
        request_log: Default::default(),
        data_dir,
        _temp_dir: temp_dir,
        progress: Mutex::default(),
        shutdown: CancellationToken::new(),
        tasks: TaskTracker::new(),
    });
    emu.tasks.spawn(server::serve(
        listener,
        routes::router(emu.clone()),
        emu.shutdown.clone(),
    ));
    emu.tasks.spawn(webhooks::run_dispatcher(emu.clone()));
    let sweeper = emu.clone();
    emu.spawn(async move {
        loop {
            tokio::time::sleep(TIMEOUT_SWEEP).await;
            sweeper.expire_due();
        }
    });
    tracing::info!(base_url = %emu.base_url, "mux emulator listening");
    Ok(EmulatorHandle {
        _stop_on_drop: emu.shutdown.clone().drop_guard(),
        emu,
        addr,
    })
}

/// Binds `127.0.0.1:0` and starts there.
pub async fn start_on_ephemeral_port(config: EmulatorConfig) -> Result<EmulatorHandle, StartError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(StartError::Listener)?;
    start(config, listener).await
}
