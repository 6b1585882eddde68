//! Upload URLs for bursts of users, within Mux's POST rate (`cargo bench -p muxd --bench
//! upload_burst`). A real muxd (SQLite, production pacing: 1 POST/s, burst 3) in front of the
//! emulator with Mux-like rate limits switched on, its spare pool filled to its floor first:
//! - `fixed`: the old pool (4 spares, never more); 30 users ask for an upload at the same instant;
//! - `demand`: the demand-sized pool (floor 4, cap 32); the same burst, then once the pool has
//!   grown to what that burst asked for, a second burst of 30; then a sustained 0.5 creates/s.
//!
//! Reports, per run, each user's wait for a URL (p50, p95, max), failures and the 429s that
//! reached "Mux", and writes them to `target/bench-results/upload_burst.json`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mux_emulator::{EmulatorConfig, EmulatorHandle};
use muxd::app::{self, App, Wiring};
use muxd_core::config::{Mode, Settings};
use muxd_core::identity::Identity;
use muxd_store::Store;
use muxd_testkit::bench;
use serde_json::{json, Value};
use tokio::net::TcpListener;

const USERS: usize = 30;
/// The sustained phase: this many creates, one every `SUSTAINED_EVERY`.
const SUSTAINED: usize = 30;
const SUSTAINED_EVERY: Duration = Duration::from_secs(2);

/// A served muxd and the emulator behind it.
struct Rig {
    app: App,
    emulator: EmulatorHandle,
    base: String,
    identity: Identity,
    dir: std::path::PathBuf,
}

impl Rig {
    async fn start(floor: usize, cap: usize) -> Rig {
        let emulator = mux_emulator::start_on_ephemeral_port(EmulatorConfig {
            rate_limits: true,
            ..Default::default()
        })
        .await
        .unwrap();
        let dir =
            std::env::temp_dir().join(format!("muxd-burst-{}-{floor}-{cap}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let vars = [
            (
                "DATABASE_URL",
                format!("sqlite://{}", dir.join("b.db").display()),
            ),
            ("MUX_BASE_URL", emulator.base_url()),
            ("MUX_TOKEN_ID", "emulator".into()),
            ("MUX_TOKEN_SECRET", "emulator-secret".into()),
            ("MUXD_UPLOAD_POOL_SIZE", floor.to_string()),
            ("MUXD_UPLOAD_POOL_MAX", cap.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let settings = Settings::load(&vars, Mode::Dev).unwrap();
        let store = Store::connect(&settings.database_url).await.unwrap();
        store.migrate().await.unwrap();
        let wiring = Wiring {
            identity: Identity::dev(b"burst"),
            mux: app::mux_config(&settings),
            reconcile: None,
        };
        let app = App::build(&settings, store, wiring).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(app::serve(
            app.clone(),
            app.router(axum::Router::new()),
            listener,
            std::future::pending(),
        ));
        let rig = Rig {
            app,
            emulator,
            base,
            identity: Identity::dev(b"burst"),
            dir,
        };
        rig.filled(floor).await;
        rig
    }

    /// Waits until the pool holds `spares`, then for the pacer's burst allowance to refill (as
    /// after a quiet spell), and forgets the emulator's request log.
    async fn filled(&self, spares: usize) {
        while self.app.uploads.pool.len() < spares {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_secs(4)).await;
        self.emulator.clear_request_log();
    }

    /// One user's create: (HTTP status, how long it took).
    async fn create(&self, http: &reqwest::Client, user: usize) -> (u16, Duration) {
        let token = self
            .identity
            .sign(&format!("user_burst_{user}"), false, 600)
            .unwrap();
        let start = Instant::now();
        let response = http
            .post(format!("{}/api/mux/create-video-upload", self.base))
            .bearer_auth(token)
            .json(&json!({"name": "b.mp4", "fileSize": 1024}))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), start.elapsed())
    }

    /// `USERS` users at the same instant.
    async fn burst(self: &Arc<Self>, label: &str, first_user: usize) -> Value {
        let http = reqwest::Client::new();
        let users: Vec<_> = (0..USERS)
            .map(|n| {
                let (rig, http) = (self.clone(), http.clone());
                tokio::spawn(async move { rig.create(&http, first_user + n).await })
            })
            .collect();
        let mut results = Vec::new();
        for user in users {
            results.push(user.await.unwrap());
        }
        self.report(label, results)
    }

    /// One create every `SUSTAINED_EVERY`, each timed alone.
    async fn sustained(self: &Arc<Self>, label: &str, first_user: usize) -> Value {
        let http = reqwest::Client::new();
        let mut tick = tokio::time::interval(SUSTAINED_EVERY);
        let mut users = Vec::new();
        for n in 0..SUSTAINED {
            tick.tick().await;
            let (rig, http) = (self.clone(), http.clone());
            users.push(tokio::spawn(async move {
                rig.create(&http, first_user + n).await
            }));
        }
        let mut results = Vec::new();
        for user in users {
            results.push(user.await.unwrap());
        }
        self.report(label, results)
    }

    /// Prints and returns one run's figures.
    fn report(&self, label: &str, results: Vec<(u16, Duration)>) -> Value {
        let mut waits: Vec<Duration> = results
            .iter()
            .filter(|(status, _)| *status == 201)
            .map(|(_, waited)| *waited)
            .collect();
        waits.sort();
        let failed = results.len() - waits.len();
        let throttled = self
            .emulator
            .request_log()
            .iter()
            .filter(|r| r.status == Some(429))
            .count();
        let ms = |p: f64| {
            let at = ((waits.len() as f64 * p).ceil() as usize).clamp(1, waits.len().max(1)) - 1;
            waits.get(at).map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
        };
        let figures = json!({
            "run": label,
            "users": results.len(),
            "served": waits.len(),
            "failed": failed,
            "wait_ms": {"p50": ms(0.5), "p95": ms(0.95), "max": ms(1.0)},
            "mux_429s": throttled,
            "spares_after": self.app.uploads.pool.len(),
        });
        println!(
            "{label}: {} users → served {} (failed {failed}); wait p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms; 429s at Mux: {throttled}",
            results.len(),
            waits.len(),
            ms(0.5),
            ms(0.95),
            ms(1.0),
        );
        figures
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::main]
async fn main() {
    let mut runs = Vec::new();

    let fixed = Arc::new(Rig::start(4, 4).await);
    runs.push(fixed.burst("fixed pool of 4: burst of 30", 0).await);
    drop(fixed);

    let demand = Arc::new(Rig::start(4, 32).await);
    runs.push(demand.burst("demand pool: first burst of 30", 0).await);
    let target = demand.app.uploads.pool.target();
    println!("the pool now aims for {target} spares; waiting until it holds them");
    demand.filled(target).await;
    runs.push(demand.burst("demand pool: next burst of 30", 100).await);
    demand.filled(demand.app.uploads.pool.target()).await;
    runs.push(
        demand
            .sustained("demand pool: sustained 0.5 creates/s", 200)
            .await,
    );

    bench::write_results("upload_burst", &Value::Array(runs));
}
