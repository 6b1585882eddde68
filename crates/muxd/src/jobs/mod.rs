//! Background work that keeps promises made to users and operators, each a `run_once` step (tests
//! call it directly) run by [`supervisor::supervise`]:
//! - `reconcile`: polling what webhooks missed ([`reconcile::Reconciler`]);
//! - `finish_deletions`: deleting on Mux what owners deleted, retried until Mux confirms;
//! - `purge_webhook_events`: forgetting webhook events older than the retention window, then
//!   refreshing SQLite's planner statistics;
//! - `refill_upload_pool`: keeping spare direct uploads ready for bursts of users;
//! - `metrics_upkeep`: draining Prometheus histograms, so memory stays flat when nobody scrapes,
//!   and refreshing the asset gauges from health's figures;
//! - `live_forward`, `live_listen` (PostgreSQL): live changes to and from the other instances;
//! - `enforce_limits`: refusing ready videos longer than the duration limit ([`Limits`]);
//! - `outbound_webhooks`: telling the host app's endpoints what changed ([`Outbound::step`]).

pub mod reconcile;
pub mod supervisor;

use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use self::reconcile::Reconciler;
use self::supervisor::{supervise, JobsStatus, Pace};
use crate::service::deletion::Deletions;
use crate::service::health_figures::FiguresCache;
use crate::service::limits::Limits;
use crate::service::live::LiveHub;
use crate::service::live_bridge::Bridge;
use crate::service::outbound::Outbound;
use crate::service::uploads::Uploads;
use crate::store::{now_ms, Store};

/// Reconcile steps poll only what is due, so they run often.
const RECONCILE: Pace = Pace {
    idle: Duration::from_secs(1),
    on_error: Duration::from_secs(10),
};
const DELETIONS: Pace = Pace {
    idle: Duration::from_secs(10),
    on_error: Duration::from_secs(30),
};
const RETENTION: Pace = Pace {
    idle: Duration::from_secs(3600),
    on_error: Duration::from_secs(3600),
};
/// One spare per step at most, about Mux's POST rate.
const POOL: Pace = Pace {
    idle: Duration::from_secs(1),
    on_error: Duration::from_secs(10),
};
const METRICS: Pace = Pace {
    idle: Duration::from_secs(5),
    on_error: Duration::from_secs(5),
};
/// A video over the limit is refused within about two seconds of turning ready.
const LIMITS: Pace = Pace {
    idle: Duration::from_secs(2),
    on_error: Duration::from_secs(10),
};
/// The outbound dispatcher's step waits for a change itself.
const OUTBOUND: Pace = Pace {
    idle: Duration::ZERO,
    on_error: Duration::from_secs(5),
};
/// The live bridge's steps run until their connection fails; then they reconnect.
const LIVE: Pace = Pace {
    idle: Duration::from_secs(1),
    on_error: Duration::from_secs(1),
};

/// Everything the background jobs need.
#[derive(Clone, Debug)]
pub struct Jobs {
    /// `None` runs no reconcile loop (tests step it themselves).
    pub reconciler: Option<Reconciler>,
    pub deletions: Deletions,
    pub uploads: Uploads,
    pub store: Store,
    /// How long webhook events are kept.
    pub retention: Duration,
    pub metrics: PrometheusHandle,
    /// Health's figures; reading them sets the asset gauges.
    pub figures: FiguresCache,
    /// Live changes to and from the other instances (PostgreSQL only).
    pub bridge: Option<Bridge>,
    /// The service's limits on ready assets.
    pub limits: Limits,
    /// Outbound webhooks, woken by `live`'s changes.
    pub outbound: Outbound,
    pub live: LiveHub,
    /// This process's name on reconciler leases.
    pub instance: String,
    pub status: JobsStatus,
}

impl Jobs {
    /// Starts every loop; they stop when `token` is cancelled.
    pub fn spawn(&self, token: &CancellationToken) -> Vec<JoinHandle<()>> {
        let mut loops = Vec::new();
        let status = &self.status;
        if let Some(reconciler) = self.reconciler.clone() {
            let instance = self.instance.clone();
            loops.push(tokio::spawn(supervise(
                "reconcile",
                RECONCILE,
                status.clone(),
                token.clone(),
                move || {
                    let (reconciler, instance) = (reconciler.clone(), instance.clone());
                    async move { reconciler.run_once(&instance, now_ms()).await.map(drop) }
                },
            )));
        }
        let deletions = self.deletions.clone();
        loops.push(tokio::spawn(supervise(
            "finish_deletions",
            DELETIONS,
            status.clone(),
            token.clone(),
            move || {
                let deletions = deletions.clone();
                async move { Ok(deletions.finish_pending(now_ms()).await.map(drop)?) }
            },
        )));
        let (store, retention) = (self.store.clone(), self.retention);
        loops.push(tokio::spawn(supervise(
            "purge_webhook_events",
            RETENTION,
            status.clone(),
            token.clone(),
            move || {
                let store = store.clone();
                async move {
                    purge_webhook_events(&store, retention).await?;
                    let before = now_ms().saturating_sub(millis(retention));
                    store.purge_outbound_messages(before).await?;
                    Ok(store.refresh_statistics().await?)
                }
            },
        )));
        let uploads = self.uploads.clone();
        loops.push(tokio::spawn(supervise(
            "refill_upload_pool",
            POOL,
            status.clone(),
            token.clone(),
            move || {
                let uploads = uploads.clone();
                async move {
                    let pool = &uploads.pool;
                    pool.refill_once(&uploads.mux, &uploads.settings)
                        .await
                        .map(drop)
                }
            },
        )));
        let (metrics, figures) = (self.metrics.clone(), self.figures.clone());
        loops.push(tokio::spawn(supervise(
            "metrics_upkeep",
            METRICS,
            status.clone(),
            token.clone(),
            move || {
                metrics.run_upkeep();
                let figures = figures.clone();
                async move {
                    figures
                        .get(METRICS.idle)
                        .await
                        .figures
                        .map(drop)
                        .map_err(anyhow::Error::msg)
                }
            },
        )));
        if self.limits.max_duration_secs > 0 {
            let limits = self.limits.clone();
            loops.push(tokio::spawn(supervise(
                "enforce_limits",
                LIMITS,
                status.clone(),
                token.clone(),
                move || {
                    let limits = limits.clone();
                    async move { Ok(limits.run_once(now_ms()).await.map(drop)?) }
                },
            )));
        }
        let (outbound, live) = (self.outbound.clone(), self.live.clone());
        loops.push(tokio::spawn(supervise(
            "outbound_webhooks",
            OUTBOUND,
            status.clone(),
            token.clone(),
            move || {
                let (outbound, changes) = (outbound.clone(), live.subscribe());
                async move { outbound.step(changes).await }
            },
        )));
        if let Some(bridge) = &self.bridge {
            let forward = bridge.clone();
            loops.push(tokio::spawn(supervise(
                "live_forward",
                LIVE,
                status.clone(),
                token.clone(),
                move || {
                    let bridge = forward.clone();
                    async move { bridge.forward().await }
                },
            )));
            let listen = bridge.clone();
            loops.push(tokio::spawn(supervise(
                "live_listen",
                LIVE,
                status.clone(),
                token.clone(),
                move || {
                    let bridge = listen.clone();
                    async move { bridge.listen().await }
                },
            )));
        }
        loops
    }
}

/// Forgets webhook events received more than `retention` ago. Returns how many.
pub async fn purge_webhook_events(
    store: &Store,
    retention: Duration,
) -> crate::store::StoreResult<u64> {
    store
        .purge_webhook_events(now_ms().saturating_sub(millis(retention)))
        .await
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
