//! The running service: shared state ([`App`]), the HTTP server (which takes its listener and a
//! shutdown future, so tests bind port 0 and production passes SIGTERM), and the background loops
//! started beside it, each a `run_once` step plus a cancellable loop.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use mux_api::{ClientConfig, MuxClient};
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::{Settings, UploadSettings, WebhookSettings};
use crate::identity::Identity;
use crate::ingest::Ingestor;
use crate::live::LiveHub;
use crate::pool::UploadPool;
use crate::reconcile::schedule::Schedule;
use crate::store::Store;
use crate::{housekeeping, web};

/// Everything a request handler or background loop may need. Shared as `Arc<App>`.
#[derive(Debug)]
pub struct App {
    pub store: Store,
    pub mux: MuxClient,
    pub ingest: Ingestor,
    pub live: LiveHub,
    pub identity: Identity,
    pub webhook: WebhookSettings,
    pub uploads: UploadSettings,
    pub metrics: PrometheusHandle,
    pub webhook_stats: WebhookStats,
    pub pool: UploadPool,
    /// The reconciler's schedule; `None` runs no reconcile loop (tests step it themselves).
    pub reconcile: Option<Schedule>,
    /// This process's name on reconciler leases.
    pub instance: String,
    pub started: Instant,
    /// The dev page's demo campaign, when running `muxd dev`.
    pub demo: Option<crate::dev::Demo>,
}

/// Handlers take `State<AppState>`.
pub type AppState = Arc<App>;

/// Webhook figures for health: last delivery accepted and rejections by reason.
#[derive(Debug, Default)]
pub struct WebhookStats {
    last_received_ms: AtomicI64,
    rejected: Mutex<BTreeMap<&'static str, u64>>,
}

impl WebhookStats {
    pub fn received(&self, at_ms: i64) {
        self.last_received_ms.store(at_ms, Ordering::Relaxed);
    }

    pub fn rejected(&self, reason: &'static str) {
        metrics::counter!("muxd_webhooks_rejected_total", "reason" => reason).increment(1);
        *self
            .rejected
            .lock()
            .expect("stats lock")
            .entry(reason)
            .or_default() += 1;
    }

    pub fn last_received_ms(&self) -> Option<i64> {
        Some(self.last_received_ms.load(Ordering::Relaxed)).filter(|&t| t > 0)
    }

    pub fn rejected_counts(&self) -> BTreeMap<&'static str, u64> {
        self.rejected.lock().expect("stats lock").clone()
    }
}

/// The process-wide Prometheus recorder (installed once; every `App` in a process shares it).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (e.g. by an embedding program).
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// What [`build`] needs besides settings: who checks tokens, how to reach Mux, demo data.
pub struct Wiring {
    pub identity: Identity,
    pub mux: ClientConfig,
    pub demo: Option<crate::dev::Demo>,
    /// The reconciler's schedule, or `None` for no reconcile loop.
    pub reconcile: Option<Schedule>,
}

/// The Mux client configuration `settings` ask for (defaults of design.md §5 otherwise).
pub fn mux_config(settings: &Settings) -> ClientConfig {
    let mut config = ClientConfig::new(
        settings.mux.token_id.clone(),
        settings.mux.token_secret.expose_secret().to_owned(),
    )
    .with_base_url(settings.mux.base_url.clone());
    config.alert_webhook_url = settings.alert_webhook_url.clone().map(SecretString::from);
    config
}

/// Connects and migrates the database and assembles the [`App`].
pub async fn build(settings: &Settings, store: Store, wiring: Wiring) -> anyhow::Result<AppState> {
    let mux = MuxClient::new(wiring.mux).context("building the Mux client")?;
    let live = LiveHub::default();
    let ingest = Ingestor {
        store: store.clone(),
        live: live.clone(),
        stream_base: settings.uploads.stream_base_url.clone(),
    };
    Ok(Arc::new(App {
        store,
        mux,
        ingest,
        live,
        identity: wiring.identity,
        webhook: settings.webhook.clone(),
        uploads: settings.uploads.clone(),
        metrics: metrics_handle(),
        webhook_stats: WebhookStats::default(),
        pool: UploadPool::new(settings.uploads.pool_size),
        reconcile: wiring.reconcile,
        instance: crate::reconcile::instance_name(),
        started: Instant::now(),
        demo: wiring.demo,
    }))
}

/// Serves `app` on `listener` until `shutdown` resolves, with the background loops beside it.
pub async fn serve(
    app: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let token = CancellationToken::new();
    let background = housekeeping::spawn(app.clone(), token.clone());
    let router = web::router::build(app.clone());
    let server_token = token.clone();
    let result = axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            tokio::select! {
                () = shutdown => {}
                () = server_token.cancelled() => {}
            }
        })
        .await
        .context("HTTP server failed");
    token.cancel();
    for task in background {
        let _ = task.await;
    }
    app.pool.cancel_all(&app.mux).await;
    result
}

/// The standard loop around a step: run it, then sleep `idle` (or `on_error` after a failure),
/// until cancelled.
pub async fn run_loop<F, Fut>(
    name: &'static str,
    token: CancellationToken,
    idle: Duration,
    on_error: Duration,
    mut step: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    loop {
        let pause = match step().await {
            Ok(()) => idle,
            Err(error) => {
                tracing::warn!(
                    task = name,
                    error = format!("{error:#}"),
                    "background step failed"
                );
                on_error
            }
        };
        tokio::select! {
            () = token.cancelled() => return,
            () = tokio::time::sleep(pause) => {}
        }
    }
}
