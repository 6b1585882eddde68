//! Health's database figures, read at most once per `max_age` however many ask: anyone may poll
//! health, so eight pollers cost the database what one does. Each read also sets the Prometheus
//! gauges operators alert on (`muxd_assets_in_flight`, `muxd_assets_stuck`,
//! `muxd_assets_given_up`, `muxd_recent_system_error_rate`, `muxd_database_up`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use muxd_domain::AssetStatus;
use muxd_store::{now_ms, HealthFigures, Store};

/// The window of "recent" processing figures.
pub const RECENT_MS: i64 = 60 * 60 * 1000;

/// One read of the figures: what it found (or why it could not), how long it took, and when.
#[derive(Clone, Debug)]
pub struct Reading {
    pub figures: Result<HealthFigures, String>,
    pub db_ms: u64,
    pub at: Instant,
}

/// The latest [`Reading`], shared; refreshed by whoever first finds it too old. Cheap to clone.
#[derive(Clone, Debug)]
pub struct FiguresCache {
    store: Store,
    latest: Arc<Mutex<Option<Reading>>>,
}

impl FiguresCache {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            latest: Arc::default(),
        }
    }

    /// A reading at most `max_age` old. Callers arriving while one is being taken wait for it
    /// rather than starting their own.
    pub async fn get(&self, max_age: Duration) -> Reading {
        let mut latest = self.latest.lock().await;
        if let Some(reading) = latest.as_ref().filter(|r| r.at.elapsed() <= max_age) {
            return reading.clone();
        }
        let started = Instant::now();
        let figures = self
            .store
            .health_figures(now_ms() - RECENT_MS)
            .await
            .map_err(|error| {
                tracing::warn!(%error, "health: database check failed");
                error.to_string()
            });
        let reading = Reading {
            figures,
            db_ms: started.elapsed().as_millis() as u64,
            at: Instant::now(),
        };
        publish(&reading);
        *latest = Some(reading.clone());
        reading
    }
}

/// Sets the gauges from `reading`.
fn publish(reading: &Reading) {
    let Ok(figures) = &reading.figures else {
        metrics::gauge!("muxd_database_up").set(0.0);
        return;
    };
    metrics::gauge!("muxd_database_up").set(1.0);
    for status in AssetStatus::ALL.into_iter().filter(|s| s.is_in_flight()) {
        let n = figures
            .in_flight
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n);
        metrics::gauge!("muxd_assets_in_flight", "status" => status.as_str()).set(n as f64);
    }
    metrics::gauge!("muxd_assets_stuck").set(figures.stuck as f64);
    metrics::gauge!("muxd_assets_given_up").set(figures.given_up as f64);
    metrics::gauge!("muxd_recent_system_error_rate").set(figures.system_error_rate());
}
