//! Live pages at scale, against real `muxd serve` processes (`cargo bench -p muxd --bench
//! live_at_scale`). Targets: one instance holds 2,000 open `/api/live` streams with RSS under
//! 100 MiB; a change costs database reads in proportion to its owner's streams, not to all
//! streams; a page on one instance sees a change applied by another within 100 ms p95.
//!
//! It starts `muxd emulator` and `muxd serve` A (a process of its own, so the RSS is muxd's alone)
//! on a fresh PostgreSQL database (`MUXD_TEST_POSTGRES_URL`, default local with trust auth), or on
//! SQLite in a temp dir when PostgreSQL is unreachable. Rows are inserted beforehand through
//! `muxd_store`; a change is one signed `video.asset.ready` webhook (a row turning READY), sent
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

mod pages;
mod procs;

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use muxd_core::identity::Identity;
use muxd_store::{now_ms, Store};
use muxd_testkit::bench::{self};
use serde_json::json;
use sqlx::{Connection, PgConnection};
use time::format_description::well_known::Rfc3339;
use tokio::sync::Semaphore;

use muxd_testkit::procs::memory;
use pages::{
    drive, external, follow, pct, report, rows, seen_json, settle, table_reads, tally, Change,
    Counts, Feed,
};
use procs::{database, open_file_limit, start_emulator, start_serve};

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

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
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
    let rss_idle = memory(a.pid());

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
    let rss_streams = memory(a.pid());

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
    let rss_changes = memory(a.pid());
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
    let rss_end = memory(a.pid());

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
    bench::write_results("live_at_scale", &results);
}
