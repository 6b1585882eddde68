//! The pages' side: rows whose ready webhooks are the changes, streams that note each event's
//! arrival, and what they saw (latency, missing, leaked), with PostgreSQL's table reads.

use muxd_domain::ExternalUserId;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use muxd_domain::AssetId;
use muxd_store::{Role, Store};
use muxd_testkit::bench::{self, percentile};
use serde_json::{json, Value};
use sqlx::PgConnection;
use tokio::sync::Semaphore;

use super::{ARRIVAL_WAIT, GAP, OWNERS, SETTLE_SLACK};

/// The asset events one page's stream brought: asset id, arrival.
pub type Feed = Mutex<Vec<(String, Instant)>>;

#[derive(Default)]
pub struct Counts {
    pub ready: AtomicUsize,
    pub ended: AtomicUsize,
    pub resyncs: AtomicUsize,
    pub errors: Mutex<Vec<String>>,
}

/// A row whose `video.asset.ready` webhook is one change.
pub struct Row {
    pub owner: usize,
    pub id: AssetId,
    pub upload: String,
}

/// One change sent: its asset, its owner, when muxd answered 2xx.
pub struct Change {
    pub id: String,
    pub owner: usize,
    pub ack: Instant,
}

/// What the pages saw of some changes.
#[derive(Default)]
pub struct Seen {
    pub expected: usize,
    /// From the 2xx to each page's event (0 if before), sorted.
    pub latencies: Vec<Duration>,
    pub before_ack: usize,
    pub missing: usize,
    /// Events of these assets on other owners' streams (must be 0).
    pub leaked: usize,
}

pub fn external(owner: usize) -> String {
    format!("live-owner-{owner}")
}

/// `per_owner` rows for each owner in `owners`, interleaved so consecutive changes change owner.
pub async fn rows(store: &Store, owners: Range<usize>, per_owner: usize) -> Vec<Row> {
    let mut users = Vec::new();
    for owner in owners.clone() {
        let user = store
            .upsert_user(
                &ExternalUserId::parse(&external(owner)).unwrap(),
                Role::User,
            )
            .await;
        users.push(user.unwrap().id);
    }
    let mut rows = Vec::new();
    for n in 0..per_owner {
        for (owner, &user) in owners.clone().zip(&users) {
            let upload = format!("up-live-{owner}-{n}");
            let id = bench::row_with_upload(store, user, &upload).await;
            rows.push(Row { owner, id, upload });
        }
    }
    rows
}

/// Opens one `/api/live` stream (at most `OPENING` opening at once) and notes its asset events.
pub async fn follow(
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
pub async fn drive(http: &reqwest::Client, endpoint: &str, rows: &[Row]) -> Vec<Change> {
    let mut ticker = tokio::time::interval(GAP);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut changes = Vec::with_capacity(rows.len());
    for Row { owner, id, upload } in rows {
        ticker.tick().await;
        let body = bench::ready_path_event(*id, upload, 2);
        let response = bench::signed(http, endpoint, body).send().await.unwrap();
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
pub fn tally(feeds: &[Arc<Feed>], changes: &[Change]) -> Seen {
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
pub async fn settle(feeds: &[Arc<Feed>], changes: &[Change]) -> Seen {
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
pub async fn table_reads(stats: Option<&mut PgConnection>) -> Option<i64> {
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
pub fn pct(sorted: &[Duration], p: f64) -> f64 {
    match sorted {
        [] => f64::NAN,
        _ => percentile(sorted, p),
    }
}

pub fn seen_json(seen: &Seen) -> Value {
    let l = &seen.latencies;
    json!({"expected": seen.expected, "arrived": l.len(), "missing": seen.missing,
        "arrived_before_ack": seen.before_ack, "ack_to_page_ms": {"p50": pct(l, 0.5),
        "p95": pct(l, 0.95), "p99": pct(l, 0.99), "max": pct(l, 1.0)}})
}

pub fn report(what: &str, seen: &Seen) {
    let l = &seen.latencies;
    let (p50, p95, p99, max) = (pct(l, 0.5), pct(l, 0.95), pct(l, 0.99), pct(l, 1.0));
    println!("  {what}: ack → page p50 {p50:.2}  p95 {p95:.2}  p99 {p99:.2}  max {max:.2} ms");
    let (n, expected, missing, early) = (l.len(), seen.expected, seen.missing, seen.before_ack);
    println!("    {n}/{expected} events arrived, {missing} missing, {early} before the ack");
}
