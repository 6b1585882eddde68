//! Wiring: builds every service from the settings and hands each only what it needs
//! ([`App::build`]), then serves HTTP with the background jobs beside it ([`serve`], which takes
//! its listener and a shutdown future, so tests bind port 0 and production passes SIGTERM). Only
//! the CLI, `muxd dev` and tests see the [`App`]; nothing below imports this module.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use mux_api::{ClientConfig, MuxClient};
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::metrics::in_flight_requests::InFlightRequestsLayer;

use muxd_core::config::{Player, Settings};
use muxd_core::identity::Identity;
use muxd_core::jobs::reconcile::{instance_name, Reconciler};
use muxd_core::jobs::supervisor::JobsStatus;
use muxd_core::jobs::Jobs;
use muxd_core::service::adopt::Adoptions;
use muxd_core::service::app_campaigns::Campaigns;
use muxd_core::service::asset_reads::AssetReads;
use muxd_core::service::assets::AssetEdits;
use muxd_core::service::captions::CaptionTracks;
use muxd_core::service::deletion::Deletions;
use muxd_core::service::health_figures::FiguresCache;
use muxd_core::service::ingest::{self, Ingestor};
use muxd_core::service::limits::Limits;
use muxd_core::service::link_probe::LinkProbe;
use muxd_core::service::links::LinkUploads;
use muxd_core::service::live::LiveHub;
use muxd_core::service::live_bridge::Bridge;
use muxd_core::service::live_streams::LiveStreams;
use muxd_core::service::outbound::Outbound;
use muxd_core::service::playback::PlaybackCheck;
use muxd_core::service::pool::UploadPool;
use muxd_core::service::rate_limit::PerUserLimit;
use muxd_core::service::retention::Retention;
use muxd_core::service::sync::Resync;
use muxd_core::service::uploads::Uploads;
use muxd_core::service::webhook_stats::WebhookStats;
use muxd_core::telemetry::metrics_handle;
use muxd_domain::playback_token::PlaybackSigner;
use muxd_domain::schedule::Schedule;
use muxd_store::Store;
use muxd_web::auth::Authenticator;
use muxd_web::health::probes::Probes;
use muxd_web::playback_tokens::PlaybackTokens;
use muxd_web::state::{HealthSources, WebState, WebhookIntake};
use muxd_web::views::{outbound_payload, Links};

/// What [`App::build`] needs besides settings: who checks tokens, how to reach Mux, and whether
/// the reconciler runs.
pub struct Wiring {
    pub identity: Identity,
    pub mux: ClientConfig,
    /// The reconciler's schedule, or `None` for no reconcile loop (tests step it themselves).
    pub reconcile: Option<Schedule>,
}

/// The assembled service. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub mux: MuxClient,
    pub identity: Arc<Identity>,
    pub live: LiveHub,
    pub ingest: Ingestor,
    pub uploads: Uploads,
    pub resync: Resync,
    pub adoptions: Adoptions,
    pub deletions: Deletions,
    pub webhook_stats: Arc<WebhookStats>,
    pub jobs: Jobs,
    /// Cancelled when a shutdown begins (readiness then says so).
    pub stopping: CancellationToken,
    /// The bound on a shutdown.
    pub shutdown_grace: Duration,
    web: WebState,
}

/// The Mux client configuration `settings` ask for (defaults of docs/contract.md §5 otherwise).
pub fn mux_config(settings: &Settings) -> ClientConfig {
    let mut config = ClientConfig::new(
        settings.mux.token_id.clone(),
        settings.mux.token_secret.expose_secret().to_owned(),
    )
    .with_base_url(settings.mux.base_url.clone());
    config.alert_webhook_url = settings.alert_webhook_url.clone();
    config.trace_headers = Some(muxd_core::telemetry::traces::inject_current);
    config
}

/// The playback token signer, when a URL signing key is configured.
fn playback_signer(settings: &Settings) -> anyhow::Result<Option<PlaybackSigner>> {
    settings
        .uploads
        .signing_key
        .as_ref()
        .map(|key| {
            PlaybackSigner::new(&key.id, key.private_key.expose_secret())
                .map_err(anyhow::Error::msg)
        })
        .transpose()
}

/// Playback tokens for views, when a URL signing key is configured.
fn playback_tokens(settings: &Settings) -> anyhow::Result<Option<Arc<PlaybackTokens>>> {
    Ok(playback_signer(settings)?.map(|signer| Arc::new(PlaybackTokens::new(signer))))
}

impl App {
    /// Assembles the services over a connected, migrated `store`.
    pub fn build(settings: &Settings, store: Store, wiring: Wiring) -> anyhow::Result<App> {
        // The recorder first: the Mux client sets its gauges as it is built.
        let metrics = metrics_handle();
        let mux = MuxClient::new(wiring.mux).context("building the Mux client")?;
        let stream_base = settings.uploads.stream_base_url.clone();
        let identity = Arc::new(wiring.identity);
        let live = LiveHub::default();
        let instance = instance_name();
        let bridge = Bridge::attach(&live, &store, &instance);
        let ingest = Ingestor::new(store.clone(), live.clone(), stream_base.clone());
        let uploads = Uploads {
            store: store.clone(),
            mux: mux.clone(),
            pool: Arc::new(UploadPool::new(
                settings.uploads.pool_size,
                settings.uploads.pool_max,
            )),
            ingest: ingest.clone(),
            settings: settings.uploads.clone(),
        };
        let resync = Resync {
            store: store.clone(),
            mux: mux.clone(),
            ingest: ingest.clone(),
            live: live.clone(),
            stream_base: stream_base.clone(),
        };
        let adoptions = Adoptions {
            resync: resync.clone(),
        };
        let links_in = LinkUploads {
            uploads: uploads.clone(),
            resync: resync.clone(),
            probe: LinkProbe::new(settings.uploads.allow_private_inputs)?,
        };
        let deletions = Deletions {
            store: store.clone(),
            mux: mux.clone(),
            live: live.clone(),
        };
        let captions = CaptionTracks {
            store: store.clone(),
            mux: mux.clone(),
            live: live.clone(),
            settings: settings.uploads.clone(),
            signer: playback_signer(settings)?.map(Arc::new),
            resync: resync.clone(),
            quiet_ms: settings.reconcile_grace.as_millis() as i64,
        };
        let webhook_stats = Arc::new(WebhookStats::new());
        let figures = FiguresCache::new(store.clone());
        let links = Links {
            image_base: settings.uploads.image_base_url.clone(),
            tokens: playback_tokens(settings)?,
            mux_player: settings.uploads.player == Player::MuxPlayer,
            mp4_renditions: settings.uploads.mp4_renditions,
        };
        let payload_links = links.clone();
        let outbound = Outbound::new(
            store.clone(),
            settings.outbound.clone(),
            Arc::new(move |change| outbound_payload(&payload_links, change)),
        )
        .context("building the outbound webhook client")?;
        ingest::count_outcomes_from_zero();
        muxd_core::service::outbound::count_attempts_from_zero();
        let jobs = Jobs {
            reconciler: wiring.reconcile.map(|schedule| Reconciler {
                store: store.clone(),
                mux: mux.clone(),
                resync: resync.clone(),
                uploads: uploads.clone(),
                schedule,
            }),
            deletions: deletions.clone(),
            uploads: uploads.clone(),
            retention: Retention::new(store.clone(), &settings.operations),
            metrics: metrics.clone(),
            figures: figures.clone(),
            bridge,
            limits: Limits {
                store: store.clone(),
                live: live.clone(),
                max_duration_secs: settings.uploads.max_duration_secs,
            },
            outbound: outbound.clone(),
            captions: captions.clone(),
            live: live.clone(),
            instance,
            status: JobsStatus::default(),
        };
        let stopping = CancellationToken::new();
        let web = WebState {
            auth: Authenticator {
                identity: identity.clone(),
                store: store.clone(),
                browser: Arc::new(settings.browser.clone()),
            },
            reads: AssetReads {
                store: store.clone(),
            },
            campaigns: Campaigns {
                store: store.clone(),
            },
            uploads: uploads.clone(),
            links_in,
            edits: AssetEdits {
                store: store.clone(),
                live: live.clone(),
                per_user: Arc::new(PerUserLimit::per_minute(
                    settings.bounds.edits_per_user_per_minute,
                )),
            },
            deletions: deletions.clone(),
            live: live.clone(),
            streams: LiveStreams::new(&settings.bounds),
            intake: WebhookIntake {
                settings: Arc::new(settings.webhook.clone()),
                stats: webhook_stats.clone(),
                ingest: ingest.clone(),
            },
            resync: resync.clone(),
            adoptions: adoptions.clone(),
            outbound,
            links,
            playback: PlaybackCheck {
                store: store.clone(),
                mux: mux.clone(),
                live: live.clone(),
                stream_base,
            },
            captions,
            health: HealthSources {
                mux: mux.clone(),
                figures,
                webhook_stats: webhook_stats.clone(),
                secrets_configured: settings.webhook.secrets.len(),
                jobs: jobs.status.clone(),
                started: Instant::now(),
            },
            probes: Probes {
                store: store.clone(),
                stopping: stopping.clone(),
            },
            metrics,
        };
        Ok(App {
            store,
            mux,
            identity,
            live,
            ingest,
            uploads,
            resync,
            adoptions,
            deletions,
            webhook_stats,
            jobs,
            stopping,
            shutdown_grace: settings.operations.shutdown_grace,
            web,
        })
    }

    /// The HTTP routes, with `extra` routes beside them (`muxd dev` adds its sign-in).
    pub fn router(&self, extra: Router) -> Router {
        muxd_web::router::build(self.web.clone(), extra)
    }

    /// A reconciler on `schedule` (tests step it themselves; `serve` runs the configured one).
    pub fn reconciler(&self, schedule: Schedule) -> Reconciler {
        Reconciler {
            store: self.store.clone(),
            mux: self.mux.clone(),
            resync: self.resync.clone(),
            uploads: self.uploads.clone(),
            schedule,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, with `app`'s background jobs beside
/// it. Then, within `app.shutdown_grace` of the signal whatever Mux, the database or the host
/// app's endpoints do: readiness turns 503 and no new connection is accepted; live streams end
/// with a hint to reconnect soon (to another instance); requests in flight (webhook transactions
/// included) get the grace to finish, and jobs stop (those cut anywhere at once, the others after
/// their current step, so reconciler leases are released); the spare uploads are cancelled on
/// Mux. What was still running when the grace ran out is abandoned and logged: a webhook cut
/// before its commit was never acknowledged, so Mux sends it again.
pub async fn serve(
    app: App,
    router: Router,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let jobs_token = CancellationToken::new();
    let jobs = app.jobs.spawn(&jobs_token);
    let (in_flight_layer, in_flight) = InFlightRequestsLayer::pair();
    let stopping = app.stopping.clone();
    let signal = {
        let (stopping, live) = (stopping.clone(), app.live.clone());
        let (jobs_token, grace) = (jobs_token.clone(), app.shutdown_grace);
        let in_flight = in_flight.clone();
        async move {
            shutdown.await;
            tracing::info!(
                grace_secs = grace.as_secs(),
                requests_in_flight = in_flight.get(),
                "shutting down"
            );
            stopping.cancel();
            jobs_token.cancel();
            // Live streams never end by themselves; end them so in-flight requests can finish.
            live.close();
        }
    };
    tokio::spawn(signal);
    // `into_make_service`: each connection shares the router (an `Arc`); serving the `Router`
    // itself would rebuild its route table for every connection (about 10 KiB each, held for as
    // long as a live stream stays open).
    let server = axum::serve(listener, router.layer(in_flight_layer).into_make_service())
        .with_graceful_shutdown(stopping.clone().cancelled_owned());
    let server = async { server.await.context("HTTP server failed") };
    tokio::pin!(server);
    // The HTTP server runs until the signal; from then on everything shares one deadline.
    let result = tokio::select! {
        result = &mut server => Some(result),
        () = stopping.cancelled() => None,
    };
    let deadline = tokio::time::Instant::now() + app.shutdown_grace;
    let result = match result {
        Some(result) => {
            // The server failed before any signal: stop the rest too.
            stopping.cancel();
            jobs_token.cancel();
            result
        }
        None => match tokio::time::timeout_at(deadline, &mut server).await {
            Ok(result) => result,
            Err(_) => {
                tracing::warn!(
                    requests = in_flight.get(),
                    "shutdown grace over: abandoning requests still in flight"
                );
                Ok(())
            }
        },
    };
    let abandoned = stop_jobs(jobs, deadline).await;
    let spares =
        match tokio::time::timeout_at(deadline, app.uploads.pool.cancel_all(&app.mux)).await {
            Ok(()) => "cancelled",
            Err(_) => "left to time out on Mux",
        };
    tracing::info!(
        abandoned_requests = in_flight.get(),
        abandoned_jobs = ?abandoned,
        spare_uploads = spares,
        "stopped"
    );
    result
}

/// Waits for every job's loop to end until `deadline`, then aborts the rest. Returns the names
/// of the jobs it aborted.
async fn stop_jobs(
    jobs: Vec<muxd_core::jobs::Running>,
    deadline: tokio::time::Instant,
) -> Vec<&'static str> {
    let mut abandoned = Vec::new();
    for (name, mut task) in jobs {
        if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
            task.abort();
            abandoned.push(name);
        }
    }
    abandoned
}
