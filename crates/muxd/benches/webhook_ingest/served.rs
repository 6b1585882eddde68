//! The traffic Mux really sends, to `muxd serve` as a process of its own (so its CPU and its log
//! are muxd's alone), with production's JSON logs at `info`:
//! - mixed: each row's four events in a random order of its own, 10 % of them again later,
//!   `CONCURRENCY` connections in a closed loop; every row must end READY with its asset and
//!   playback id;
//! - steady: `STEADY_RATE` events/s in Mux's order for `STEADY_SECONDS` (open loop), three
//!   times: with nobody listening, with `PAGES` live pages open (one per owner), and with one
//!   outbound endpoint (a receiver on loopback that answers 204).
//!
//! - idle: nothing sent for `IDLE_SECONDS`, so the steady phases' costs can be split into what
//!   muxd's background jobs and PostgreSQL's upkeep spend anyway and what each event adds;
//! - floor (PostgreSQL): what a bare round trip and a bare one-insert commit cost the server at
//!   the same rate (`floor.rs`), the least a durable ack per event can cost.
//!
//! Each phase reports per event: muxd's CPU, PostgreSQL's (every server process, as
//! `procs::postgres_cpu_secs`), the database's growth and the log's; and the ack latencies.
//! Readings are taken once the phase's work is done: every ack back and, with an endpoint, every
//! outbound delivery made.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use muxd_core::config::DatabaseUrl;
use muxd_core::identity::Identity;
use muxd_store::Store;
use muxd_testkit::bench::{percentile, signed};
use muxd_testkit::databases::{count, eventually};
use muxd_testkit::procs::{self, cpu_ms_per_event, Proc, Serve};
use rand::SeedableRng as _;
use serde_json::{json, Value};
use tokio::task::JoinSet;

use super::floor;
use super::load::{closed_loop, open_loop};
use super::profile::{self, Statements};
use super::traffic::{self, Row};

const CONCURRENCY: usize = 32;
const MIXED_ROWS: usize = 2_000;
const DUPLICATES: f64 = 0.10;
const STEADY_RATE: f64 = 300.0;
const STEADY_SECONDS: f64 = 20.0;
const IDLE_SECONDS: u64 = 10;
/// Owners of the steady phases' rows, and pages open in the pages phase (one per owner).
const PAGES: usize = 50;
const JWT_SECRET: &str = "ingest-bench-jwt-secret-of-32-bytes-or-more";

/// What one reading of the machine says.
struct Reading {
    muxd_cpu: Option<f64>,
    postgres_cpu: Option<f64>,
    database: i64,
    webhook_table: Option<i64>,
    /// PostgreSQL's WAL so far (the whole server's): bytes and full-page images.
    wal: Option<(i64, i64)>,
    log: u64,
}

/// muxd serve, the emulator it calls, and the bench's own view of the database.
struct Served {
    serve: Serve,
    _emulator: Proc,
    base: String,
    store: Store,
    http: reqwest::Client,
    postgres: bool,
    statements: Option<tokio::sync::Mutex<Statements>>,
}

impl Served {
    async fn read(&self) -> Reading {
        let (database, webhook_table) = match self.postgres {
            true => (
                count(&self.store, "SELECT pg_database_size(current_database())").await,
                Some(
                    count(
                        &self.store,
                        "SELECT pg_total_relation_size('webhook_events')",
                    )
                    .await,
                ),
            ),
            false => (
                count(
                    &self.store,
                    "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                )
                .await,
                None,
            ),
        };
        let wal = match self.postgres {
            true => Some((
                count(&self.store, "SELECT wal_bytes::BIGINT FROM pg_stat_wal").await,
                count(&self.store, "SELECT wal_fpi FROM pg_stat_wal").await,
            )),
            false => None,
        };
        Reading {
            wal,
            muxd_cpu: procs::cpu_secs(self.serve.pid()),
            postgres_cpu: self.postgres.then(procs::postgres_cpu_secs).flatten(),
            database,
            webhook_table,
            log: self.serve.log_bytes(),
        }
    }

    /// Starts counting statements, when PostgreSQL can.
    async fn start_profile(&self) {
        if let Some(statements) = &self.statements {
            statements.lock().await.reset().await;
        }
    }

    /// The statements run since [`Served::start_profile`], per event.
    async fn profile(&self, events: usize) -> Value {
        let Some(statements) = &self.statements else {
            return Value::Null;
        };
        statements.lock().await.per_event(events).await
    }

    fn hook(&self) -> String {
        format!("{}/api/webhooks/mux", self.base)
    }
}

/// Costs per event between two readings, with the ack latencies.
fn costs(before: &Reading, after: &Reading, events: usize, acks: &[Duration]) -> Value {
    let per = |a: i64, b: i64| (b - a) as f64 / events as f64;
    json!({
        "events": events,
        "muxd_cpu_ms_per_event": cpu_ms_per_event(before.muxd_cpu, after.muxd_cpu, events),
        "postgres_cpu_ms_per_event": cpu_ms_per_event(before.postgres_cpu, after.postgres_cpu, events),
        "database_bytes_per_delivery": per(before.database, after.database),
        "webhook_events_bytes_per_delivery": before.webhook_table.zip(after.webhook_table).map(|(a, b)| per(a, b)),
        "log_bytes_per_delivery": per(before.log as i64, after.log as i64),
        "wal_bytes_per_event": before.wal.zip(after.wal).map(|(a, b)| per(a.0, b.0)),
        "wal_full_pages_per_event": before.wal.zip(after.wal).map(|(a, b)| per(a.1, b.1)),
        "ack_ms": {
            "p50": percentile(acks, 0.5),
            "p95": percentile(acks, 0.95),
            "p99": percentile(acks, 0.99),
        },
    })
}

fn print(phase: &str, costs: &Value) {
    let ms = |v: &Value| v.as_f64().map_or("-".to_owned(), |v| format!("{v:.3}"));
    println!(
        "  {phase:<26} muxd {} ms/event  PostgreSQL {} ms/event  ack p50 {} p95 {} p99 {} ms  db {:.0} B  log {:.0} B per delivery  WAL {:.0} B, {:.2} full pages per event",
        ms(&costs["muxd_cpu_ms_per_event"]),
        ms(&costs["postgres_cpu_ms_per_event"]),
        ms(&costs["ack_ms"]["p50"]),
        ms(&costs["ack_ms"]["p95"]),
        ms(&costs["ack_ms"]["p99"]),
        costs["database_bytes_per_delivery"].as_f64().unwrap_or(f64::NAN),
        costs["log_bytes_per_delivery"].as_f64().unwrap_or(f64::NAN),
        costs["wal_bytes_per_event"].as_f64().unwrap_or(f64::NAN),
        costs["wal_full_pages_per_event"].as_f64().unwrap_or(f64::NAN),
    );
    if !costs["statements"].is_null() {
        profile::print(&costs["statements"], "event");
    }
}

/// Runs the mixed and the steady phases against `muxd serve` over `url`.
pub async fn run(url: &DatabaseUrl, postgres: bool) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_muxd"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let (emulator_proc, emulator) =
        procs::start_emulator(bin, dir.path(), &format!("{base}/api/webhooks/mux")).await;
    let env = [
        ("RUST_LOG", "info".to_owned()),
        ("MUXD_JWT_HS256_SECRET", JWT_SECRET.to_owned()),
        ("MUXD_WEBHOOK_ALLOW_PRIVATE_URLS", "true".to_owned()),
        ("MUXD_ADMIN_IDS", "bench_admin".to_owned()),
    ];
    let serve = procs::start_serve(bin, dir.path(), &emulator, url.expose(), port, &env).await;
    let served = Served {
        serve,
        _emulator: emulator_proc,
        base,
        store: Store::connect(url).await.unwrap(),
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(CONCURRENCY)
            .build()
            .unwrap(),
        postgres,
        statements: match postgres {
            true => Statements::connect(url.expose())
                .await
                .map(tokio::sync::Mutex::new),
            false => None,
        },
    };
    let mixed = mixed(&served).await;
    print("mixed, 32 connections", &mixed);
    let idle = idle(&served).await;
    let floor = match postgres {
        true => floor::run(url.expose(), STEADY_RATE).await,
        false => Value::Null,
    };
    let quiet = steady(&served, "quiet", Listening::Nobody).await;
    print("steady 300/s, nobody", &quiet);
    let pages = steady(&served, "pages", Listening::Pages).await;
    print("steady 300/s, 50 pages", &pages);
    let endpoint = steady(&served, "endpoint", Listening::Endpoint).await;
    print("steady 300/s, one endpoint", &endpoint);
    served.store.close().await;
    json!({"mixed": mixed, "idle": idle, "floor": floor, "steady": {"nobody": quiet, "pages": pages, "endpoint": endpoint}})
}

/// The mixed workload, saturated; checks every row ended READY and right.
async fn mixed(served: &Served) -> Value {
    let rows = traffic::rows(&served.store, "mixed", MIXED_ROWS, PAGES).await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(24);
    let events = traffic::mixed(&rows, DUPLICATES, &mut rng);
    let total = events.len();
    let before = served.read().await;
    served.start_profile().await;
    let (client, hook) = (served.http.clone(), served.hook());
    let (rate, acks) = closed_loop(events, CONCURRENCY, move |body| {
        let request = signed(&client, &hook, body);
        async move {
            let status = request.send().await.unwrap().status();
            assert!(status.is_success(), "{status}");
        }
    })
    .await;
    let right = count(
        &served.store,
        "SELECT COUNT(*) FROM creative_assets WHERE mux_upload_id LIKE 'mixed%'
           AND mux_processing_status = 'READY' AND mux_asset_id = 'as-' || mux_upload_id
           AND playback_id = 'pb-' || mux_upload_id",
    )
    .await;
    assert_eq!(right, MIXED_ROWS as i64, "every row READY with its asset");
    let mut costs = costs(&before, &served.read().await, total, &acks);
    costs["events_per_s"] = json!(rate);
    costs["rows_ready"] = json!(right);
    costs["statements"] = served.profile(total).await;
    println!("  mixed: {total} events ({MIXED_ROWS} rows, {:.0} % again): {rate:.0} events/s, every row READY", DUPLICATES * 100.0);
    costs
}

/// Nothing sent for `IDLE_SECONDS` (a bench measures a span of time; no test waits like this):
/// the CPU muxd and PostgreSQL spend anyway, per second and per steady event.
async fn idle(served: &Served) -> Value {
    let before = served.read().await;
    served.start_profile().await;
    tokio::time::sleep(Duration::from_secs(IDLE_SECONDS)).await;
    let after = served.read().await;
    let seconds = IDLE_SECONDS as usize;
    let muxd = cpu_ms_per_event(before.muxd_cpu, after.muxd_cpu, seconds);
    let postgres = cpu_ms_per_event(before.postgres_cpu, after.postgres_cpu, seconds);
    let at_steady = |per_s: Option<f64>| per_s.map(|ms| ms / STEADY_RATE);
    let ms = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.3}"));
    println!(
        "  idle {IDLE_SECONDS} s: muxd {} ms/s, PostgreSQL {} ms/s; at {STEADY_RATE}/s that is muxd {} and PostgreSQL {} ms/event",
        ms(muxd), ms(postgres), ms(at_steady(muxd)), ms(at_steady(postgres)),
    );
    let statements = served.profile(seconds).await;
    if !statements.is_null() {
        profile::print(&statements, "second");
    }
    json!({
        "seconds": IDLE_SECONDS,
        "muxd_cpu_ms_per_s": muxd,
        "postgres_cpu_ms_per_s": postgres,
        "muxd_cpu_ms_per_steady_event": at_steady(muxd),
        "postgres_cpu_ms_per_steady_event": at_steady(postgres),
        "statements_per_s": statements,
    })
}

/// Who hears of the steady phase's changes.
enum Listening {
    Nobody,
    Pages,
    Endpoint,
}

/// The steady phase with `listening`, on rows of its own tagged `tag`.
async fn steady(served: &Served, tag: &str, listening: Listening) -> Value {
    let count_rows = (STEADY_RATE * STEADY_SECONDS) as usize / traffic::STEPS;
    let rows: Vec<Row> = traffic::rows(&served.store, tag, count_rows, PAGES).await;
    let events = traffic::in_order(&rows);
    let total = events.len();
    let delivered = Arc::new(AtomicUsize::new(0));
    let _pages = match listening {
        Listening::Nobody => JoinSet::new(),
        Listening::Pages => open_pages(served).await,
        Listening::Endpoint => {
            add_endpoint(served, delivered.clone()).await;
            JoinSet::new()
        }
    };
    let before = served.read().await;
    served.start_profile().await;
    let acks = open_loop(&served.http, &served.hook(), events, STEADY_RATE).await;
    if let Listening::Endpoint = listening {
        eventually("every change delivered to the endpoint", async || {
            let waiting = count(
                &served.store,
                "SELECT (SELECT COUNT(*) FROM asset_events WHERE outbound IS NOT NULL)
                      + (SELECT COUNT(*) FROM outbound_deliveries WHERE status = 'pending')",
            )
            .await;
            waiting == 0 && delivered.load(Relaxed) >= 2 * count_rows
        })
        .await;
    }
    let mut costs = costs(&before, &served.read().await, total, &acks);
    costs["statements"] = served.profile(total).await;
    costs
}

/// Opens one live page's stream per owner; the tasks read them until the set is dropped, which
/// aborts them and so closes the pages (a dropped `JoinHandle` would leave them open into the
/// next phase).
async fn open_pages(served: &Served) -> JoinSet<()> {
    let identity = Identity::dev(JWT_SECRET.as_bytes());
    let opened = Arc::new(AtomicUsize::new(0));
    let mut pages = JoinSet::new();
    for n in 0..PAGES {
        let token = identity.sign(&traffic::owner(n), false, 3600).unwrap();
        let request = served
            .http
            .get(format!("{}/api/live", served.base))
            .bearer_auth(token);
        let opened = opened.clone();
        pages.spawn(async move {
            let response = request.send().await.unwrap().error_for_status().unwrap();
            opened.fetch_add(1, Relaxed);
            let mut body = response.bytes_stream();
            while let Some(Ok(_)) = body.next().await {}
        });
    }
    eventually("every live page open", async || {
        opened.load(Relaxed) == PAGES
    })
    .await;
    pages
}

/// Starts a receiver that counts what it is sent and registers it as the host app's endpoint.
async fn add_endpoint(served: &Served, delivered: Arc<AtomicUsize>) {
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move || {
            let delivered = delivered.clone();
            async move {
                delivered.fetch_add(1, Relaxed);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let token = Identity::dev(JWT_SECRET.as_bytes())
        .sign("bench_admin", true, 3600)
        .unwrap();
    let made = served
        .http
        .post(format!("{}/api/app/webhook-endpoints", served.base))
        .bearer_auth(token)
        .json(&json!({"url": url}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201, "{:?}", made.text().await);
}
