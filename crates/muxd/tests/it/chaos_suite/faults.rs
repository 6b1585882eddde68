//! The fault schedule, played in cycles while the workload runs (the first cycle always in
//! full): webhook and API faults in the background, then a Mux outage, a database cut
//! (PostgreSQL only), the signing-secret rotation (first cycle) and a `kill -9` of `muxd serve`
//! with a restart on the same database. Each fault is counted and its window recorded: a 503 from
//! muxd is expected inside a window, not outside.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::procs::{Serve, NEW_SECRET};
use muxd_testkit::proxy::ChaosProxy;

/// After a Mux outage muxd's breaker stays open 30 s (production default); 503s are expected
/// until it closes again.
const OUTAGE_TAIL_S: f64 = 45.0;
const CUT_TAIL_S: f64 = 10.0;

#[derive(Debug, Default)]
pub struct FaultLog {
    pub counts: BTreeMap<&'static str, u32>,
    /// (what, start, end) in seconds since the run began, end including the tail.
    pub windows: Vec<(&'static str, f64, f64)>,
}

impl FaultLog {
    pub fn covers(&self, at: f64) -> bool {
        self.windows.iter().any(|(_, s, e)| *s <= at && at <= *e)
    }
}

fn background(webhooks: bool) -> Value {
    let api = json!([
        {"method": "POST", "path": "/video/v1/uploads", "kind": "error", "status": 503, "rate": 0.05},
        {"method": "GET", "path": "/video/**", "kind": "error", "status": 500, "rate": 0.1},
        {"path": "/video/**", "kind": "error", "status": 429, "retry_after_s": 1, "rate": 0.03},
        {"path": "/video/**", "kind": "latency", "ms": 250, "rate": 0.2}
    ]);
    let hooks = if webhooks {
        json!({"drop_rate": 0.1, "duplicate_rate": 0.2, "reorder_window_ms": 1500,
               "delay_ms": 300, "wrong_secret_rate": 0.1})
    } else {
        json!({})
    };
    json!({"api": api, "webhooks": hooks})
}

pub struct Faults<'a> {
    pub http: reqwest::Client,
    pub emulator: String,
    pub proxy: Option<&'a ChaosProxy>,
    pub started: Instant,
    pub log: FaultLog,
}

impl Faults<'_> {
    fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    async fn control(&self, method: reqwest::Method, path: &str, body: Value) {
        let url = format!("{}/_emulator/{path}", self.emulator);
        let response = self.http.request(method, url).json(&body).send().await;
        assert!(
            response.is_ok_and(|r| r.status().is_success()),
            "emulator control {path} failed"
        );
    }

    fn count(&mut self, what: &'static str) {
        *self.log.counts.entry(what).or_default() += 1;
    }

    /// Plays cycles until `done` (checked between phases after the first cycle).
    pub async fn play(&mut self, serve: &mut Serve, done: CancellationToken) {
        let mut cycle: u32 = 0;
        loop {
            cycle += 1;
            let first = cycle == 1;
            let stop = |c: &CancellationToken| !first && c.is_cancelled();
            self.control(reqwest::Method::PUT, "faults", background(true))
                .await;
            self.count("webhook+api background faults on");
            pause(6).await;
            if stop(&done) {
                break;
            }

            let outage = self.now();
            let all_fail = json!({"api": [{"path": "/video/**", "kind": "error", "status": 503}],
                                  "webhooks": background(true)["webhooks"]});
            self.control(reqwest::Method::PUT, "faults", all_fail).await;
            self.count("mux outage (4 s, every API call 503)");
            pause(4).await;
            self.control(reqwest::Method::PUT, "faults", background(true))
                .await;
            self.log
                .windows
                .push(("mux outage", outage, self.now() + OUTAGE_TAIL_S));
            if stop(&done) {
                break;
            }

            match self.proxy {
                Some(proxy) => {
                    let cut = self.now();
                    proxy.break_networking();
                    self.count("database cut (4 s)");
                    pause(4).await;
                    proxy.restore_networking();
                    self.log
                        .windows
                        .push(("database cut", cut, self.now() + CUT_TAIL_S));
                }
                None => self.count("database cut skipped (SQLite)"),
            }
            pause(3).await;
            if first {
                let body = json!({"signing_secret": NEW_SECRET});
                self.control(reqwest::Method::PUT, "webhooks", body).await;
                self.count("signing secret rotated (old -> new)");
            }
            if stop(&done) {
                break;
            }

            let kill = self.now();
            serve.kill9();
            self.count("kill -9 of muxd serve + restart");
            pause(1).await;
            serve.start(&self.http).await;
            self.log.windows.push(("restart", kill, self.now() + 5.0));
            pause(5).await;
            if done.is_cancelled() {
                break;
            }
        }
        self.control(reqwest::Method::DELETE, "faults", json!({}))
            .await;
        if let Some(proxy) = self.proxy {
            proxy.restore_networking();
        }
        self.log
            .counts
            .insert("fault cycles (the last may be partial)", cycle);
    }
}

async fn pause(secs: u64) {
    tokio::time::sleep(Duration::from_secs(secs)).await;
}
