//! Background work that keeps promises made to users and operators, each a `run_once` step (tests
//! call it directly) run by [`supervisor::supervise`]:
//! - `reconcile`: polling what webhooks missed ([`reconcile::Reconciler`]);
//! - `finish_deletions`: deleting on Mux what owners deleted, retried until Mux confirms;
//! - `prune`: forgetting what has outlived its retention (webhook events, asset history,
//!   finished outbound messages), in small batches, then refreshing SQLite's planner statistics;
//! - `refill_upload_pool`: keeping spare direct uploads ready for bursts of users;
//! - `metrics_upkeep`: draining Prometheus histograms, so memory stays flat when nobody scrapes,
//!   and refreshing the asset gauges from health's figures;
//! - `live_forward`, `live_listen` (PostgreSQL): live changes to and from the other instances;
//! - `enforce_limits`: refusing ready videos longer than the duration limit ([`Limits`]);
//! - `outbound_webhooks`: telling the host app's endpoints what changed ([`Outbound::step`]);
//! - `captions`: what a change to an asset's text tracks asks for: transcripts fetched and
//!   indexed for search, a replaced supplied track deleted ([`CaptionTracks::run_once`]).

pub mod reconcile;
pub mod supervisor;

use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use self::reconcile::Reconciler;
use self::supervisor::{supervise, Job, JobsStatus, OnShutdown, Pace};
use crate::service::captions::CaptionTracks;
use crate::service::deletion::Deletions;
use crate::service::health_figures::FiguresCache;
use crate::service::limits::Limits;
use crate::service::live::LiveHub;
use crate::service::live_bridge::Bridge;
use crate::service::outbound::Outbound;
use crate::service::retention::Retention;
use crate::service::uploads::Uploads;
use muxd_store::now_ms;

/// Reconcile steps poll only what is due, so they run often.
const RECONCILE: Pace = Pace {
    idle: Duration::from_secs(1),
    on_error: Duration::from_secs(10),
};
const DELETIONS: Pace = Pace {
    idle: Duration::from_secs(10),
    on_error: Duration::from_secs(30),
};
/// Retention is counted in days; a pass every ten minutes keeps each batch small.
const PRUNE: Pace = Pace {
    idle: Duration::from_secs(600),
    on_error: Duration::from_secs(600),
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
/// A track's transcript is searchable within about a second of the track turning ready.
const CAPTIONS: Pace = Pace {
    idle: Duration::from_secs(1),
    on_error: Duration::from_secs(10),
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
    pub retention: Retention,
    pub metrics: PrometheusHandle,
    /// Health's figures; reading them sets the asset gauges.
    pub figures: FiguresCache,
    /// Live changes to and from the other instances (PostgreSQL only).
    pub bridge: Option<Bridge>,
    /// The service's limits on ready assets.
    pub limits: Limits,
    /// Outbound webhooks, woken by `live`'s changes.
    pub outbound: Outbound,
    /// Transcripts and supplied caption files.
    pub captions: CaptionTracks,
    pub live: LiveHub,
    /// This process's name on reconciler leases.
    pub instance: String,
    pub status: JobsStatus,
}

/// A running job: its name and its loop.
pub type Running = (&'static str, JoinHandle<()>);

impl Jobs {
    /// Starts every loop; they stop when `token` is cancelled.
    pub fn spawn(&self, token: &CancellationToken) -> Vec<Running> {
        self.table()
            .into_iter()
            .map(|job| {
                let name = job.name;
                let task = supervise(job, self.status.clone(), token.clone());
                (name, tokio::spawn(task))
            })
            .collect()
    }

    /// The jobs this process runs: name, pace, what a shutdown does to a step, and the step.
    fn table(&self) -> Vec<Job> {
        use OnShutdown::{Drop, Finish};
        let mut jobs = Vec::new();
        if let Some(reconciler) = self.reconciler.clone() {
            jobs.push(reconcile_job(reconciler, self.instance.clone()));
        }
        let deletions = self.deletions.clone();
        jobs.push(Job::new("finish_deletions", DELETIONS, Finish, move || {
            let deletions = deletions.clone();
            async move { Ok(deletions.finish_pending(now_ms()).await.map(drop)?) }
        }));
        let retention = self.retention.clone();
        jobs.push(Job::new("prune", PRUNE, Drop, move || {
            let retention = retention.clone();
            async move { Ok(retention.run_once(now_ms()).await.map(drop)?) }
        }));
        // Finish: a spare made during the step must be known, so the shutdown cancels it.
        let uploads = self.uploads.clone();
        jobs.push(Job::new("refill_upload_pool", POOL, Finish, move || {
            let uploads = uploads.clone();
            async move {
                let pool = &uploads.pool;
                pool.refill_once(&uploads.mux, &uploads.settings)
                    .await
                    .map(drop)
            }
        }));
        let (metrics, figures) = (self.metrics.clone(), self.figures.clone());
        jobs.push(Job::new("metrics_upkeep", METRICS, Drop, move || {
            metrics.run_upkeep();
            let figures = figures.clone();
            async move {
                let reading = figures.get(METRICS.idle).await;
                reading.figures.map(drop).map_err(anyhow::Error::msg)
            }
        }));
        if self.limits.max_duration_secs > 0 {
            let limits = self.limits.clone();
            jobs.push(Job::new("enforce_limits", LIMITS, Drop, move || {
                let limits = limits.clone();
                async move { Ok(limits.run_once(now_ms()).await.map(drop)?) }
            }));
        }
        // Drop: a delivery cut mid-send keeps its lease, ends it, and is sent again.
        let (outbound, live) = (self.outbound.clone(), self.live.clone());
        jobs.push(Job::new("outbound_webhooks", OUTBOUND, Drop, move || {
            let (outbound, changes) = (outbound.clone(), live.subscribe());
            async move { outbound.step(changes).await }
        }));
        // Finish: a track deleted on Mux must be recorded deleted too.
        let captions = self.captions.clone();
        jobs.push(Job::new("captions", CAPTIONS, Finish, move || {
            let captions = captions.clone();
            async move { Ok(captions.run_once(now_ms()).await.map(drop)?) }
        }));
        if let Some(bridge) = &self.bridge {
            let forward = bridge.clone();
            jobs.push(Job::new("live_forward", LIVE, Drop, move || {
                let bridge = forward.clone();
                async move { bridge.forward().await }
            }));
            let listen = bridge.clone();
            jobs.push(Job::new("live_listen", LIVE, Drop, move || {
                let bridge = listen.clone();
                async move { bridge.listen().await }
            }));
        }
        jobs
    }
}

/// The reconcile job (`muxd serve`, and `muxd reconcile` alone): a step ends what it polled, so
/// its leases are released.
pub fn reconcile_job(reconciler: Reconciler, instance: String) -> Job {
    Job::new("reconcile", RECONCILE, OnShutdown::Finish, move || {
        let (reconciler, instance) = (reconciler.clone(), instance.clone());
        async move { reconciler.run_once(&instance, now_ms()).await.map(drop) }
    })
}
