//! Live pages at scale, against real `muxd serve` processes (`cargo bench -p muxd --bench
//! live_at_scale`). Targets: one instance holds 2,000 open `/api/live` streams with RSS under
//! 100 MiB; a change costs database reads in proportion to its owner's streams, not to all
//! streams; a page on one instance sees a change applied by another within 100 ms p95.
//!
//! It starts `muxd emulator` and `muxd serve` A (a process of its own, so the RSS is muxd's alone)
//! on a fresh PostgreSQL database (`MUXD_TEST_POSTGRES_URL`, default local with trust auth), or on
//! SQLite in a temp dir when PostgreSQL is unreachable. Rows are inserted beforehand through
//! `muxd::store`; a change is one signed `video.asset.ready` webhook (a row turning READY), sent
//! one at a time every `GAP`, so the figures are latencies, not queueing.
//! 1. `STREAMS` (`MUXD_BENCH_STREAMS`) SSE streams on A, stream `k` owned by owner `k % OWNERS`,
//!    each read by a task noting when each `event: asset` arrives. A's VmRSS: idle, with the
//!    streams open, after each phase, and its peak (VmHWM).
//! 2. Same instance: changes of `CHANGED` owners sent to A; from each 2xx to the event on each of
//!    the owner's streams, p50/p95/p99/max; events on other owners' streams (must be none). On
//!    PostgreSQL, `creative_assets` scans per change (pg_stat_user_tables) beside as many changes
//!    of an owner with no stream open: the difference is what the fan-out reads. The statistics
//!    lag about a second, so each reading waits for them to settle; the background jobs add a few.
//! 3. Across instances (PostgreSQL only): `muxd serve` B on the same database, changes of
//!    `ACROSS` more owners sent to B while all streams stay open on A; from B's 2xx to A's event,
//!    and how many never came within `ARRIVAL_WAIT`.
//!
//! The load generator shares the machine, so latencies include its cost. Each process needs about
//! `STREAMS` file descriptors: a lower soft limit is raised to the hard one (`prlimit`, inherited
//! by the children) and printed. Results also go to `target/bench-results/live_at_scale.json`.

#[allow(dead_code)] // its in-process app helpers are not used here
mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::ops::Range;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::percentile;
use futures_util::StreamExt;
use muxd::config::DatabaseUrl;
use muxd::domain::AssetId;
use muxd::identity::Identity;
use muxd::store::{now_ms, Role, Store};
use serde_json::{json, Value};
use sqlx::{Connection, Executor, PgConnection};
use time::format_description::well_known::Rfc3339;
use tokio::sync::Semaphore;

const STREAMS: usize = 2_000;
const OWNERS: usize = 200;
/// Owners `0..CHANGED` get `PER_OWNER` changes each on A.
const CHANGED: usize = 20;
const PER_OWNER: usize = 5;
/// The next `ACROSS` owners get `ACROSS_PER_OWNER` changes each on B.
const ACROSS: usize = 5;
const ACROSS_PER_OWNER: usize = 40;
/// Between two changes.
const GAP: Duration = Duration::from_millis(20);
/// Streams being opened at once.
const OPENING: usize = 64;
/// How long changes may take to reach every page before they count as missing.
const ARRIVAL_WAIT: Duration = Duration::from_secs(10);
/// How far two settled statistics readings 1.2 s apart may differ (the background jobs' scans).
const SETTLE_SLACK: i64 = 10;
const JWT_SECRET: &str = "live-bench-jwt-secret-of-32-bytes-or-more";

/// A child process, killed and reaped when dropped (panics included).
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The run's PostgreSQL database (admin URL, its `DROP` statement), dropped with this guard.
struct PgDatabase(String, String);

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, sql) = (self.0.clone(), self.1.clone());
        // A runtime of its own on a thread of its own: this may run inside the bench's runtime.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(async move {
                    if let Ok(mut conn) = PgConnection::connect(&admin).await {
                        let _ = conn.execute(sql.as_str()).await;
                    }
                })
        })
        .join();
    }
}

/// The asset events one page's stream brought: asset id, arrival.
type Feed = Mutex<Vec<(String, Instant)>>;

#[derive(Default)]
struct Counts {
    ready: AtomicUsize,
    ended: AtomicUsize,
    resyncs: AtomicUsize,
    errors: Mutex<Vec<String>>,
}

/// A row whose `video.asset.ready` webhook is one change.
struct Row {
    owner: usize,
    id: AssetId,
    upload: String,
}

/// One change sent: its asset, its owner, when muxd answered 2xx.
struct Change {
    id: String,
    owner: usize,
    ack: Instant,
}

/// What the pages saw of some changes.
#[derive(Default)]
struct Seen {
    expected: usize,
    /// From the 2xx to each page's event (0 if before), sorted.
    latencies: Vec<Duration>,
    before_ack: usize,
    missing: usize,
    /// Events of these assets on other owners' streams (must be 0).
    leaked: usize,
}

fn external(owner: usize) -> String {
    format!("live-owner-{owner}")
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

/// This process's open-file limit (soft, hard), the soft one raised to the hard one first if
/// `needed` would not fit (std has no setrlimit; children started later inherit it).
fn open_file_limit(needed: u64) -> Option<(u64, u64)> {
    let read = || -> Option<(u64, u64)> {
        let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
        let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
        let mut n = line.split_whitespace().skip(3).map(|v| v.parse().ok());
        Some((n.next()??, n.next()??))
    };
    let (soft, hard) = read()?;
    if soft < needed && hard > soft {
        let (pid, nofile) = (
            std::process::id().to_string(),
            format!("--nofile={hard}:{hard}"),
        );
        let _ = Command::new("prlimit")
            .args(["--pid", pid.as_str(), nofile.as_str()])
            .status();
    }
    read()
}

/// (VmRSS, VmHWM) of process `pid` in MiB (NaN where /proc cannot tell).
fn memory(pid: u32) -> (f64, f64) {
    let field = |name| common::status_mib(&pid.to_string(), name).unwrap_or(f64::NAN);
    (field("VmRSS:"), field("VmHWM:"))
}

/// A fresh PostgreSQL database if the server is reachable, else a SQLite file in `dir`.
async fn database(dir: &Path) -> (DatabaseUrl, Option<PgDatabase>) {
    let admin = std::env::var("MUXD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let Ok(mut conn) = PgConnection::connect(&admin).await else {
        println!("PostgreSQL unreachable at {admin}: SQLite, one instance");
        let url = format!("sqlite://{}", dir.join("live.db").display());
        return (DatabaseUrl::parse(&url).unwrap(), None);
    };
    let name = format!("muxd_bench_live_{}", uuid::Uuid::new_v4().simple());
    let create = format!("CREATE DATABASE {name}");
    conn.execute(create.as_str()).await.unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let drop_sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    (
        DatabaseUrl::parse(&url).unwrap(),
        Some(PgDatabase(admin, drop_sql)),
    )
}

/// `muxd args…` in `dir` with only `PATH`, `RUST_LOG=warn` and `env` set.
fn muxd(dir: &Path, args: &[&str], env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_muxd"));
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Starts `muxd emulator` on a free port; returns it and its base URL.
async fn start_emulator(dir: &Path, webhook: &str) -> (Proc, String) {
    let args = ["emulator", "--port", "0", "--webhook-url", webhook];
    let mut child = muxd(dir, &args, &[])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (found, wanted) = tokio::sync::oneshot::channel();
    // Reads stdout to its end, so the emulator never writes into a closed pipe.
    std::thread::spawn(move || {
        let mut found = Some(found);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(base) = line.split("listening on ").nth(1) {
                if let Some(found) = found.take() {
                    let _ = found.send(base.trim().to_owned());
                }
            }
        }
    });
    let proc = Proc(child);
    let base = tokio::time::timeout(Duration::from_secs(60), wanted).await;
    (
        proc,
        base.unwrap().expect("muxd emulator printed its address"),
    )
}

/// Starts `muxd serve` on `port` and waits (up to 60 s) until it answers HTTP.
async fn start_serve(dir: &Path, emulator: &str, database: &str, port: u16) -> Proc {
    let listen = format!("127.0.0.1:{port}");
    let env = [
        ("MUX_BASE_URL", emulator.to_owned()),
        ("MUXD_STREAM_BASE_URL", format!("{emulator}/stream")),
        ("MUX_TOKEN_ID", "emulator".into()),
        ("MUX_TOKEN_SECRET", "emulator-secret".into()),
        ("MUX_WEBHOOK_SIGNING_SECRET", common::SECRET.into()),
        ("MUXD_JWT_HS256_SECRET", JWT_SECRET.into()),
        // The bench signs its users in with `Identity::dev`'s tokens.
        ("MUXD_JWT_ISSUER", muxd::identity::DEV_ISSUER.into()),
        ("MUXD_JWT_AUDIENCE", muxd::identity::DEV_AUDIENCE.into()),
        ("DATABASE_URL", database.into()),
        ("MUXD_LISTEN", listen.clone()),
        // No spare uploads asked of Mux, no polling of the rows here (they never upload).
        ("MUXD_UPLOAD_POOL_SIZE", "0".into()),
        ("MUXD_RECONCILE_GRACE_SECS", "86400".into()),
        // Each owner holds many streams here; the bounds on open streams are not under test.
        ("MUXD_LIVE_STREAMS_PER_USER", "1000000".into()),
        ("MUXD_LIVE_STREAMS_PER_INSTANCE", "1000000".into()),
    ];
    let log = dir.join(format!("serve-{port}.log"));
    let out = std::fs::File::create(&log).unwrap();
    let mut cmd = muxd(dir, &["serve"], &env);
    cmd.stdout(out.try_clone().unwrap()).stderr(out);
    let mut proc = Proc(cmd.spawn().expect("muxd serve starts"));
    let (http, deadline) = (
        reqwest::Client::new(),
        Instant::now() + Duration::from_secs(60),
    );
    let health = format!("http://{listen}/api/health/mux-system");
    while http.get(&health).send().await.is_err() {
        if let Ok(Some(status)) = proc.0.try_wait() {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("muxd serve exited with {status}:\n{log}");
        }
        assert!(Instant::now() < deadline, "no answer on {listen}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    proc
}

/// `per_owner` rows for each owner in `owners`, interleaved so consecutive changes change owner.
async fn rows(store: &Store, owners: Range<usize>, per_owner: usize) -> Vec<Row> {
    let mut users = Vec::new();
    for owner in owners.clone() {
        let user = store.upsert_user(&external(owner), Role::User).await;
        users.push(user.unwrap().id);
    }
    let mut rows = Vec::new();
    for n in 0..per_owner {
        for (owner, &user) in owners.clone().zip(&users) {
            let upload = format!("up-live-{owner}-{n}");
            let id = common::row_with_upload(store, user, &upload).await;
            rows.push(Row { owner, id, upload });
        }
    }
    rows
}

/// Opens one `/api/live` stream (at most `OPENING` opening at once) and notes its asset events.
async fn follow(
    request: reqwest::RequestBuilder,
    feed: Arc<Feed>,
    gate: Arc<Semaphore>,
    counts: Arc<Counts>,
) {
    let mut permit = gate.acquire_owned().await.ok();
    let response = match request.send().await.and_then(|r| r.error_for_status()) {
        Ok(response) => response,
        Err(error) => {
            counts.errors.lock().unwrap().push(format!("{error:?}"));
            return;
        }
    };
    let (mut bytes, mut text) = (response.bytes_stream(), String::new());
    while let Some(Ok(chunk)) = bytes.next().await {
        let at = Instant::now();
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let frame: String = text.drain(..end + 2).collect();
            if frame.contains("event: ready") {
                counts.ready.fetch_add(1, Relaxed);
                drop(permit.take());
            } else if frame.contains("event: resync") {
                counts.resyncs.fetch_add(1, Relaxed);
            } else if frame.contains("event: asset") {
                let data = frame.lines().find_map(|l| l.strip_prefix("data: "));
                let view: Value = serde_json::from_str(data.unwrap_or("")).unwrap_or_default();
                if let Some(id) = view["id"].as_str() {
                    feed.lock().unwrap().push((id.to_owned(), at));
                }
            }
        }
    }
    counts.ended.fetch_add(1, Relaxed);
}

/// Sends each row's `video.asset.ready` to `endpoint`, one every `GAP`.
async fn drive(http: &reqwest::Client, endpoint: &str, rows: &[Row]) -> Vec<Change> {
    let mut ticker = tokio::time::interval(GAP);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut changes = Vec::with_capacity(rows.len());
    for Row { owner, id, upload } in rows {
        ticker.tick().await;
        let body = common::ready_path_event(*id, upload, 2);
        let response = common::signed(http, endpoint, body).send().await.unwrap();
        let ack = Instant::now();
        assert!(response.status().is_success(), "{}", response.status());
        let _ = response.bytes().await;
        let (id, owner) = (id.to_string(), *owner);
        changes.push(Change { id, owner, ack });
    }
    changes
}

/// What the pages have seen of `changes` so far (`feeds[k]` is owner `k % OWNERS`'s; an owner
/// from `OWNERS` on has no stream).
fn tally(feeds: &[Arc<Feed>], changes: &[Change]) -> Seen {
    let mut seen = Seen::default();
    let owner_of: HashMap<&str, usize> = changes.iter().map(|c| (c.id.as_str(), c.owner)).collect();
    let mut firsts = Vec::with_capacity(feeds.len());
    for (k, feed) in feeds.iter().enumerate() {
        let mut first = HashMap::new();
        for (id, at) in feed.lock().unwrap().iter() {
            match owner_of.get(id.as_str()) {
                Some(&owner) if owner != k % OWNERS => seen.leaked += 1,
                Some(_) => {
                    first.entry(id.clone()).or_insert(*at);
                }
                None => {}
            }
        }
        firsts.push(first);
    }
    for change in changes.iter().filter(|c| c.owner < OWNERS) {
        for k in (change.owner..feeds.len()).step_by(OWNERS) {
            seen.expected += 1;
            let Some(&at) = firsts[k].get(&change.id) else {
                seen.missing += 1;
                continue;
            };
            seen.before_ack += usize::from(at < change.ack);
            seen.latencies
                .push(at.saturating_duration_since(change.ack));
        }
    }
    seen.latencies.sort();
    seen
}

/// Waits (up to `ARRIVAL_WAIT`) until every page has seen its owner's `changes`.
async fn settle(feeds: &[Arc<Feed>], changes: &[Change]) -> Seen {
    let deadline = Instant::now() + ARRIVAL_WAIT;
    loop {
        let seen = tally(feeds, changes);
        if seen.missing == 0 || Instant::now() >= deadline {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Scans of `creative_assets` so far by PostgreSQL's statistics, once settled: backends report
/// them within about a second of going idle, so this reads every 1.2 s until two readings differ
/// by at most `SETTLE_SLACK`, for up to 15 s. `None` on SQLite.
async fn table_reads(stats: Option<&mut PgConnection>) -> Option<i64> {
    const SQL: &str =
        "SELECT COALESCE(SUM(COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0)), 0)::bigint \
        FROM pg_stat_user_tables WHERE relname = 'creative_assets'";
    let stats = stats?;
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last: Option<i64> = None;
    loop {
        let query = sqlx::query_scalar(SQL);
        let now: i64 = query.fetch_one(&mut *stats).await.unwrap();
        if last.is_some_and(|last| now - last <= SETTLE_SLACK) || Instant::now() >= deadline {
            return Some(now);
        }
        last = Some(now);
        tokio::time::sleep(Duration::from_millis(1200)).await;
    }
}

/// The `p` quantile in ms; NaN (JSON null) when nothing arrived.
fn pct(sorted: &[Duration], p: f64) -> f64 {
    match sorted {
        [] => f64::NAN,
        _ => percentile(sorted, p),
    }
}

fn seen_json(seen: &Seen) -> Value {
    let l = &seen.latencies;
    json!({"expected": seen.expected, "arrived": l.len(), "missing": seen.missing,
        "arrived_before_ack": seen.before_ack, "ack_to_page_ms": {"p50": pct(l, 0.5),
        "p95": pct(l, 0.95), "p99": pct(l, 0.99), "max": pct(l, 1.0)}})
}

fn report(what: &str, seen: &Seen) {
    let l = &seen.latencies;
    let (p50, p95, p99, max) = (pct(l, 0.5), pct(l, 0.95), pct(l, 0.99), pct(l, 1.0));
    println!("  {what}: ack → page p50 {p50:.2}  p95 {p95:.2}  p99 {p99:.2}  max {max:.2} ms");
    let (n, expected, missing, early) = (l.len(), seen.expected, seen.missing, seen.before_ack);
    println!("    {n}/{expected} events arrived, {missing} missing, {early} before the ack");
}

#[tokio::main]
async fn main() {
    let streams = std::env::var("MUXD_BENCH_STREAMS")
        .ok()
        .and_then(|n| n.parse().ok());
    let streams: usize = streams.unwrap_or(STREAMS);
    let files = open_file_limit(streams as u64 + 512);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = database(dir.path()).await;
    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };

    // Rows first, while no muxd runs; owner `OWNERS` has no stream.
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let same_rows = rows(&store, 0..CHANGED, PER_OWNER).await;
    let lone_rows = rows(&store, OWNERS..OWNERS + 1, CHANGED * PER_OWNER).await;
    let across_rows = rows(&store, CHANGED..CHANGED + ACROSS, ACROSS_PER_OWNER).await;
    store.close().await;

    let http = reqwest::Client::builder()
        .http1_only()
        .pool_max_idle_per_host(64)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let held = [0, 1].map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap());
    let [a_port, b_port] = held.map(|l| l.local_addr().unwrap().port());
    let base_a = format!("http://127.0.0.1:{a_port}");
    let hook_a = format!("{base_a}/api/webhooks/mux");
    let (_emulator, emulator) = start_emulator(dir.path(), &hook_a).await;
    let a = start_serve(dir.path(), &emulator, url.expose(), a_port).await;
    let rss_idle = memory(a.0.id());

    // 1. Streams on A.
    let identity = Identity::dev(JWT_SECRET.as_bytes());
    let token = |owner| identity.sign(&external(owner), false, 3600).unwrap();
    let tokens: Vec<String> = (0..OWNERS).map(token).collect();
    let (counts, gate) = (
        Arc::new(Counts::default()),
        Arc::new(Semaphore::new(OPENING)),
    );
    let live = format!("{base_a}/api/live");
    let mut feeds = Vec::with_capacity(streams);
    let opening = Instant::now();
    for k in 0..streams {
        let feed = Arc::new(Feed::default());
        let request = http.get(&live).bearer_auth(tokens[k % OWNERS].as_str());
        let (f, g, c) = (feed.clone(), gate.clone(), counts.clone());
        tokio::spawn(follow(request, f, g, c));
        feeds.push(feed);
    }
    let deadline = Instant::now() + Duration::from_secs(180);
    let answered = || counts.ready.load(Relaxed) + counts.errors.lock().unwrap().len();
    while answered() < streams && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let open_secs = opening.elapsed().as_secs_f64();
    let opened = counts.ready.load(Relaxed);
    let rss_streams = memory(a.0.id());

    // 2. Changes sent to A: first those of the owner with no stream, then the others'.
    let mut stats = if pg.is_some() {
        Some(PgConnection::connect(url.expose()).await.unwrap())
    } else {
        None
    };
    let reads_start = table_reads(stats.as_mut()).await;
    let lone = drive(&http, &hook_a, &lone_rows).await;
    let reads_lone = table_reads(stats.as_mut()).await;
    let same = drive(&http, &hook_a, &same_rows).await;
    let same_seen = settle(&feeds, &same).await;
    let reads_same = table_reads(stats.as_mut()).await;
    let rss_changes = memory(a.0.id());
    let per_change = |from: Option<i64>, to: Option<i64>, n: usize| -> Option<f64> {
        Some((to? - from?) as f64 / n as f64)
    };
    let lone_reads = per_change(reads_start, reads_lone, lone.len());
    let same_reads = per_change(reads_lone, reads_same, same.len());
    let fan_out = same_reads.zip(lone_reads).map(|(s, l)| s - l);

    // 3. Across instances (PostgreSQL): B applies, the pages on A see.
    let across = if pg.is_some() {
        let b = start_serve(dir.path(), &emulator, url.expose(), b_port).await;
        let hook_b = format!("http://127.0.0.1:{b_port}/api/webhooks/mux");
        let changes = drive(&http, &hook_b, &across_rows).await;
        Some((settle(&feeds, &changes).await, changes, b))
    } else {
        None
    };
    let rss_end = memory(a.0.id());

    let leaked = |changes: &[Change]| tally(&feeds, changes).leaked;
    let same_leaks = leaked(&lone) + leaked(&same);
    let errors = counts.errors.lock().unwrap().clone();
    let (ended, resyncs) = (counts.ended.load(Relaxed), counts.resyncs.load(Relaxed));
    let rss_met = opened == streams && rss_streams.0 < 100.0;
    let per_stream_kib = (rss_streams.0 - rss_idle.0) * 1024.0 / opened.max(1) as f64;

    println!("live_at_scale on {backend}, {cores} cores, open files (soft, hard) {files:?}:");
    println!(
        "  streams on A: {opened}/{streams} open in {open_secs:.1} s; {} failed, {ended} ended, {resyncs} resyncs",
        errors.len()
    );
    if let Some(error) = errors.first() {
        println!("    first failure (see `ulimit -n`): {error}");
    }
    let (idle, open, after, end, peak) = (
        rss_idle.0,
        rss_streams.0,
        rss_changes.0,
        rss_end.0,
        rss_end.1,
    );
    println!(
        "  A's RSS, MiB: idle {idle:.1}, streams open {open:.1} ({per_stream_kib:.1} KiB each), after changes {after:.1}, end {end:.1}, peak {peak:.1}"
    );
    println!("    target < 100 MiB with all open: {}", verdict(rss_met));
    report(
        &format!("same instance, {} changes", same.len()),
        &same_seen,
    );
    println!("    events of these on other owners' streams: {same_leaks} (must be 0)");
    match (same_reads, lone_reads, fan_out) {
        (Some(s), Some(l), Some(f)) => println!(
            "  creative_assets scans per change: owner with {} streams {s:.1}, with none {l:.1}; fan-out {f:.1} (all streams: {streams})",
            streams / OWNERS
        ),
        _ => println!("  scans per change: measured on PostgreSQL only"),
    }
    let across_json = match &across {
        Some((seen, changes, _)) => {
            let leaks = leaked(changes);
            let met = seen.missing == 0 && pct(&seen.latencies, 0.95) < 100.0;
            report(&format!("B → A, {} changes", changes.len()), seen);
            println!("    events of these on other owners' streams: {leaks} (must be 0)");
            println!("    target p95 < 100 ms, none missing: {}", verdict(met));
            json!({"changes": changes.len(), "owners": ACROSS, "gap_ms": GAP.as_millis() as u64,
                "pages_on_a": seen_json(seen), "other_owners_events": leaks,
                "target_p95_ms": 100, "met": met})
        }
        None => {
            println!("  across instances: skipped (SQLite is one instance)");
            json!({"skipped": "SQLite is one instance; needs PostgreSQL"})
        }
    };

    let results = json!({
        "bench": "live_at_scale",
        "timestamp": time::OffsetDateTime::now_utc().format(&Rfc3339).unwrap_or_default(),
        "timestamp_ms": now_ms(), "cores": cores, "backend": backend,
        "open_files": files.map(|(soft, hard)| json!({"soft": soft, "hard": hard})),
        "streams": {"requested": streams, "opened": opened, "failed": errors.len(),
            "first_error": errors.first(), "owners": OWNERS, "open_secs": open_secs,
            "ended": ended, "resyncs": resyncs},
        "serve_a_rss_mib": {"idle": rss_idle.0, "streams_open": rss_streams.0,
            "per_stream_kib": per_stream_kib, "after_changes": rss_changes.0, "end": rss_end.0,
            "peak": rss_end.1, "target": 100, "met": rss_met},
        "same_instance": {"changes": same.len(), "owners": CHANGED,
            "gap_ms": GAP.as_millis() as u64, "pages": seen_json(&same_seen),
            "other_owners_events": same_leaks,
            "creative_assets_scans_per_change": {"owner_with_streams": same_reads,
                "owner_without_streams": lone_reads, "fan_out": fan_out,
                "owner_streams": streams / OWNERS, "all_streams": streams}},
        "across_instances": across_json,
    });
    common::write_results("live_at_scale", &results);
}
