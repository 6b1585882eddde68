//! Which serves a burst of users better (issue: "bursts of users beyond Mux's POST rate must not
//! fail … measure which serves users better")? `cargo bench -p muxd --bench upload_burst`.
//!
//! For each pool size, a real muxd (SQLite, production pacing: 1 POST/s, burst 3) in front of the
//! emulator with Mux-like rate limits switched on: wait for the pool to fill, then `USERS` users
//! ask for an upload at the same instant. Reports how long each waited for its URL, how many
//! failed, and how many 429s reached "Mux".

use std::sync::Arc;
use std::time::{Duration, Instant};

use mux_emulator::EmulatorConfig;
use muxd::app::{self, App, Wiring};
use muxd::config::{Mode, Settings};
use muxd::identity::Identity;
use muxd::store::Store;
use tokio::net::TcpListener;

const USERS: usize = 12;

async fn burst(pool_size: usize) {
    let emulator = mux_emulator::start_on_ephemeral_port(EmulatorConfig {
        rate_limits: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("muxd-burst-{}-{pool_size}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let vars = [
        (
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("b.db").display()),
        ),
        ("MUX_BASE_URL", emulator.base_url()),
        ("MUX_TOKEN_ID", "emulator".into()),
        ("MUX_TOKEN_SECRET", "emulator-secret".into()),
        ("MUXD_UPLOAD_POOL_SIZE", pool_size.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let settings = Settings::load(&vars, Mode::Dev).unwrap();
    let store = Store::connect(&settings.database_url).await.unwrap();
    store.migrate().await.unwrap();
    let identity = Identity::dev(b"burst");
    let token = identity.sign("user_burst", false, 600).unwrap();
    let wiring = Wiring {
        identity,
        mux: app::mux_config(&settings),
        reconcile: None,
    };
    let state = App::build(&settings, store, wiring).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let pool = state.clone();
    let server = tokio::spawn(app::serve(
        state.clone(),
        state.router(axum::Router::new()),
        listener,
        std::future::pending(),
    ));
    while pool.uploads.pool.len() < pool_size {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let the pacer's burst allowance refill, as after a quiet spell.
    tokio::time::sleep(Duration::from_secs(4)).await;
    emulator.clear_request_log();

    let http = reqwest::Client::new();
    let url = Arc::new(format!("{base}/api/mux/create-video-upload"));
    let start = Instant::now();
    let mut users = Vec::new();
    for _ in 0..USERS {
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        users.push(tokio::spawn(async move {
            let response = http
                .post(url.as_str())
                .bearer_auth(token)
                .json(&serde_json::json!({"name": "b.mp4"}))
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), start.elapsed())
        }));
    }
    let mut waits = Vec::new();
    let mut failed = 0;
    for user in users {
        let (status, waited) = user.await.unwrap();
        if status == 201 {
            waits.push(waited);
        } else {
            failed += 1;
        }
    }
    waits.sort();
    let throttled = emulator
        .request_log()
        .iter()
        .filter(|r| r.status == Some(429))
        .count();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |p: f64| {
        waits
            .get(((waits.len() as f64 * p) as usize).min(waits.len().saturating_sub(1)))
            .copied()
            .map_or(f64::NAN, ms)
    };
    println!(
        "pool {pool_size}: {USERS} users at once → served {} (failed {failed}); wait p50 {:.0} ms, p90 {:.0} ms, max {:.0} ms; 429s at Mux: {throttled}",
        waits.len(),
        at(0.5),
        at(0.9),
        waits.last().copied().map_or(f64::NAN, ms)
    );
    server.abort();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::main]
async fn main() {
    for pool_size in [0, 4, 8] {
        burst(pool_size).await;
    }
}
