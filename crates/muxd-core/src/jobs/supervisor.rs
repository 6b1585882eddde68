//! The loop every job runs in: call its step, then sleep `idle` (or `on_error` after a failure),
//! until cancelled. A step that panics is caught, logged and counted, and the loop goes on after
//! `on_error`: one bad row must not silently stop, say, every deletion for the life of the
//! process. Each loop's last run is kept in [`JobsStatus`] for health.
//!
//! When cancelled (a shutdown), a job whose step may be cut anywhere ([`OnShutdown::Drop`]: it
//! waits for input, or what it leaves half done is redone by a lease or a retry) stops at once;
//! the others ([`OnShutdown::Finish`]) end their current step first. The caller bounds that wait.

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use muxd_store::now_ms;

/// How a job's loop is paced.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Pause after a step that succeeded.
    pub idle: Duration,
    /// Pause after a step that failed or panicked.
    pub on_error: Duration,
}

/// What a job's step does when a shutdown begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnShutdown {
    /// The current step ends first (e.g. so the spare uploads it made are known and cancelled).
    Finish,
    /// The step is dropped at once: it waits for input, or its work is redone after a restart.
    Drop,
}

/// One step of a job, made afresh for each run.
pub type Step = Box<dyn FnMut() -> BoxFuture<'static, anyhow::Result<()>> + Send>;

/// A background job: its name (in logs, metrics and health), pace, shutdown rule and step.
pub struct Job {
    pub name: &'static str,
    pub pace: Pace,
    pub on_shutdown: OnShutdown,
    pub step: Step,
}

impl Job {
    pub fn new<F, Fut>(name: &'static str, pace: Pace, on_shutdown: OnShutdown, mut step: F) -> Job
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        Job {
            name,
            pace,
            on_shutdown,
            step: Box::new(move || step().boxed()),
        }
    }
}

/// One job's recent history, as health shows it.
#[derive(Debug, Clone, Default)]
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

/// Runs `job` until `token` is cancelled.
pub async fn supervise(job: Job, status: JobsStatus, token: CancellationToken) {
    let Job {
        name,
        pace,
        on_shutdown,
        mut step,
    } = job;
    // Counted from 0, so an alert sees the first failure as an increase.
    metrics::counter!("muxd_job_panics_total", "task" => name).increment(0);
    metrics::counter!("muxd_job_failures_total", "task" => name).increment(0);
    loop {
        // Each step is a trace of its own (`job` span, root), with what it called beneath it.
        let span = tracing::info_span!(parent: None, "job", otel.name = name, task = name, otel.status_code = tracing::field::Empty);
        let run = AssertUnwindSafe(step())
            .catch_unwind()
            .instrument(span.clone());
        let outcome = match on_shutdown {
            OnShutdown::Finish => run.await,
            OnShutdown::Drop => tokio::select! {
                outcome = run => outcome,
                () = token.cancelled() => return,
            },
        };
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
        let flaky = Job::new("flaky", pace, OnShutdown::Finish, move || {
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
        });
        let job = tokio::spawn(supervise(flaky, status.clone(), token));
        job.await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        let flaky = status.snapshot()["flaky"].clone();
        assert_eq!((flaky.runs, flaky.failures, flaky.panics), (3, 2, 1));
        assert!(flaky.last_error.is_none() && flaky.last_ok_ms.is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn a_shutdown_drops_a_waiting_step_and_lets_a_working_one_finish() {
        let pace = Pace {
            idle: Duration::from_secs(1),
            on_error: Duration::from_secs(1),
        };
        let token = CancellationToken::new();
        let finished = Arc::new(AtomicU32::new(0));
        let done = finished.clone();
        let endless = Job::new("listen", pace, OnShutdown::Drop, || {
            std::future::pending::<anyhow::Result<()>>()
        });
        let working = Job::new("work", pace, OnShutdown::Finish, move || {
            let done = done.clone();
            async move {
                tokio::time::sleep(Duration::from_secs(5)).await;
                done.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        });
        let status = JobsStatus::default();
        let listen = tokio::spawn(supervise(endless, status.clone(), token.clone()));
        let work = tokio::spawn(supervise(working, status.clone(), token.clone()));
        tokio::time::sleep(Duration::from_secs(1)).await;
        token.cancel();
        listen.await.unwrap();
        assert_eq!(finished.load(Ordering::SeqCst), 0, "still working");
        work.await.unwrap();
        assert_eq!(finished.load(Ordering::SeqCst), 1, "its step ended first");
    }
}
