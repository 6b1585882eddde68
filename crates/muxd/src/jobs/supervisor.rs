//! The loop every job runs in: call its step, then sleep `idle` (or `on_error` after a failure),
//! until cancelled. A step that panics is caught, logged and counted, and the loop goes on after
//! `on_error`: one bad row must not silently stop, say, every deletion for the life of the
//! process. Each loop's last run is kept in [`JobsStatus`] for health.

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::store::now_ms;

/// How a job's loop is paced.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Pause after a step that succeeded.
    pub idle: Duration,
    /// Pause after a step that failed or panicked.
    pub on_error: Duration,
}

/// One job's recent history, as health shows it.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobStatus {
    /// Unix ms of the last step that finished (well or not).
    pub last_run_ms: Option<i64>,
    /// Unix ms of the last step that succeeded.
    pub last_ok_ms: Option<i64>,
    /// Why the last step failed, if it did.
    pub last_error: Option<String>,
    pub runs: u64,
    pub failures: u64,
    pub panics: u64,
}

/// Every job's status by name. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct JobsStatus(Arc<Mutex<BTreeMap<&'static str, JobStatus>>>);

impl JobsStatus {
    /// A copy of every job's status.
    pub fn snapshot(&self) -> BTreeMap<&'static str, JobStatus> {
        self.0.lock().expect("jobs status lock").clone()
    }

    fn record(&self, name: &'static str, result: &Result<(), String>, panicked: bool) {
        let now = now_ms();
        let mut all = self.0.lock().expect("jobs status lock");
        let status = all.entry(name).or_default();
        status.runs += 1;
        status.last_run_ms = Some(now);
        match result {
            Ok(()) => {
                status.last_ok_ms = Some(now);
                status.last_error = None;
            }
            Err(error) => {
                status.failures += 1;
                status.panics += u64::from(panicked);
                status.last_error = Some(error.clone());
            }
        }
    }
}

/// Runs `step` under `name` until `token` is cancelled.
pub async fn supervise<F, Fut>(
    name: &'static str,
    pace: Pace,
    status: JobsStatus,
    token: CancellationToken,
    mut step: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    // Counted from 0, so an alert sees the first failure as an increase.
    metrics::counter!("muxd_job_panics_total", "task" => name).increment(0);
    metrics::counter!("muxd_job_failures_total", "task" => name).increment(0);
    loop {
        // Each step is a trace of its own (`job` span, root), with what it called beneath it.
        let span = tracing::info_span!(parent: None, "job", otel.name = name, task = name, otel.status_code = tracing::field::Empty);
        let outcome = AssertUnwindSafe(step())
            .catch_unwind()
            .instrument(span.clone())
            .await;
        let (result, panicked) = match outcome {
            Ok(Ok(())) => (Ok(()), false),
            Ok(Err(error)) => (Err(format!("{error:#}")), false),
            Err(panic) => (Err(panic_message(panic.as_ref())), true),
        };
        if let Err(error) = &result {
            span.record("otel.status_code", "ERROR");
            if panicked {
                tracing::error!(job = name, error, "background step panicked; restarting");
                metrics::counter!("muxd_job_panics_total", "task" => name).increment(1);
            } else {
                tracing::warn!(job = name, error, "background step failed");
            }
            metrics::counter!("muxd_job_failures_total", "task" => name).increment(1);
        }
        if result.is_ok() {
            let now = now_ms() as f64 / 1000.0;
            metrics::gauge!("muxd_job_last_success_timestamp_seconds", "task" => name).set(now);
        }
        status.record(name, &result, panicked);
        let pause = if result.is_ok() {
            pace.idle
        } else {
            pace.on_error
        };
        tokio::select! {
            () = token.cancelled() => return,
            () = tokio::time::sleep(pause) => {}
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("panicked: {text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn a_panicking_step_is_restarted_and_counted() {
        let status = JobsStatus::default();
        let token = CancellationToken::new();
        let calls = Arc::new(AtomicU32::new(0));
        let pace = Pace {
            idle: Duration::from_secs(1),
            on_error: Duration::from_secs(5),
        };
        let counter = calls.clone();
        let stop = token.clone();
        let job = tokio::spawn(supervise("flaky", pace, status.clone(), token, move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let stop = stop.clone();
            async move {
                match n {
                    0 => panic!("bad row"),
                    1 => anyhow::bail!("database down"),
                    _ => {
                        stop.cancel();
                        Ok(())
                    }
                }
            }
        }));
        job.await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        let flaky = status.snapshot()["flaky"].clone();
        assert_eq!((flaky.runs, flaky.failures, flaky.panics), (3, 2, 1));
        assert!(flaky.last_error.is_none() && flaky.last_ok_ms.is_some());
    }
}
