//! From a webhook's arrival at muxd to the card's change on the content page in headless Chromium
//! (issue 9; `cargo bench -p muxd --bench live_to_card`). Target: p95 under 50 ms.
//!
//! muxd runs in-process (a Mux that is never called) on SQLite, then on a fresh PostgreSQL
//! database (skipped if unreachable), with `muxd dev`'s demo user and campaign and `WARM_UP` +
//! `MUXD_BENCH_CHANGES` (default 250) rows awaiting their upload. Chromium, driven through Debian's
//! `chromedriver` by the browser tests' WebDriver client, signs in by exchanging a token for
//! muxd's cookie (`POST /api/session`), opens the campaign's content page and waits until it is
//! live with every card shown. A MutationObserver in the page notes `Date.now()` when a card's
//! `data-status` turns READY. Then, one at a time, a signed `video.asset.ready` webhook is POSTed
//! for each row, the wall clock read just before; the next is sent once the page has noted the
//! change, so the figures are latencies, not queueing. The first `WARM_UP` are not counted.
//!
//! Both clocks are this machine's wall clock, in whole milliseconds on the page's side. The
//! latency covers muxd's verify-and-commit, the live fan-out, the SSE hop, the page's parse and
//! the card's update (not the paint that follows). The page learns it is awaited by one WebDriver
//! script per change, injected as the webhook is sent; it shares the page's thread, so it may add
//! a little, never hide any. Without Chromium or its driver the bench says
//! loudly that it skipped. Results also go to `target/bench-results/live_to_card.json`.

use muxd_domain::ExternalUserId;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use muxd::dev::seed;
use muxd_core::config::DatabaseUrl;
use muxd_store::Role;
use muxd_testkit::bench::{self, percentile, ready_path_event, row_in_campaign, signed};
use muxd_testkit::chromedriver::{Chromedriver, CHROMEDRIVER, CHROMIUM};
use serde_json::{json, Value};

/// Changes sent before the measured ones (the page's and muxd's first paths are cold).
const WARM_UP: usize = 10;
/// How long the page may take to load.
const LOAD_DEADLINE: Duration = Duration::from_secs(60);

/// Notes when each card turns READY (`window.__ready[assetId]`, ms) and calls a waiter if one
/// is registered for it (`window.__waiters`).
const OBSERVER: &str = r#"
window.__ready = {};
window.__waiters = {};
new MutationObserver(mutations => {
  const now = Date.now();
  for (const m of mutations) {
    const card = m.target;
    const id = card.dataset.asset;
    if (!id || card.dataset.status !== "READY" || id in window.__ready) continue;
    window.__ready[id] = now;
    window.__waiters[id]?.(now);
  }
}).observe(document.getElementById("influencers"),
  { attributes: true, attributeFilter: ["data-status"], subtree: true });
"#;

/// Resolves with when card `arguments[0]` turned READY, as soon as it has.
const WAIT_FOR_READY: &str = r#"
const [id, done] = arguments;
if (id in window.__ready) done(window.__ready[id]); else window.__waiters[id] = done;
"#;

/// Exchanges the token `arguments[0]` for muxd's session cookie; resolves with the status.
const SIGN_IN: &str = r#"
const [token, done] = arguments;
fetch("/api/session", { method: "POST", headers: { Authorization: `Bearer ${token}` } })
  .then(r => done(r.status), e => done(String(e)));
"#;

/// The content page is live and shows `arguments[0]` cards.
const LOADED: &str = r#"
return document.getElementById("live-state").dataset.mode === "live"
  && document.querySelectorAll("[data-asset][data-status]").length === arguments[0];
"#;

/// The wall clock in milliseconds.
fn wall_ms() -> f64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    now.as_secs_f64() * 1000.0
}

fn changes() -> usize {
    std::env::var("MUXD_BENCH_CHANGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(250)
}

/// One run on `url`: the latencies' percentiles.
async fn run(label: &str, url: DatabaseUrl) -> Value {
    // Players point at a closed local port, so READY cards fetch nothing from the internet.
    let app = bench::app_with(&url, &[("MUXD_STREAM_BASE_URL", "http://127.0.0.1:9")]).await;
    let base = bench::serve(&app).await;
    let demo = seed::seed(&app.store).await.unwrap();
    let user = &demo.user_external_id;
    let owner = app
        .store
        .upsert_user(&ExternalUserId::parse(user).unwrap(), Role::User)
        .await
        .unwrap()
        .id;
    let total = WARM_UP + changes();
    let mut rows = Vec::with_capacity(total);
    for i in 0..total {
        let upload = format!("card-{i}");
        let row = row_in_campaign(&app.store, owner, Some(demo.campaign_id), &upload).await;
        rows.push((row, upload));
    }

    let driver = Chromedriver::start(None).await;
    let page = driver.open("--window-size=1280,900").await;
    page.navigate(&format!("{base}/")).await;
    let token = app.identity.sign(user, false, 3600).unwrap();
    let signed_in = page.execute_async(SIGN_IN, json!([token])).await;
    assert_eq!(signed_in, 200, "the token exchange");
    page.navigate(&format!("{base}/campaigns/{}/content", demo.campaign_id))
        .await;
    let deadline = Instant::now() + LOAD_DEADLINE;
    while page.try_execute(LOADED, json!([total])).await != Ok(json!(true)) {
        assert!(Instant::now() < deadline, "the content page did not load");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    page.execute(OBSERVER, json!([])).await;

    let http = reqwest::Client::new();
    let webhook = format!("{base}/api/webhooks/mux");
    let mut latencies = Vec::with_capacity(changes());
    for (i, (row, upload)) in rows.iter().enumerate() {
        let body = ready_path_event(*row, upload, 2);
        let seen = page.execute_async(WAIT_FOR_READY, json!([row.to_string()]));
        let sent = wall_ms().floor();
        let post = async {
            let answer = signed(&http, &webhook, body).send().await.unwrap();
            assert!(answer.status().is_success(), "{}", answer.status());
        };
        let (seen, ()) = tokio::join!(seen, post);
        let latency_ms = (seen.as_f64().expect("a time") - sent).max(0.0);
        if i >= WARM_UP {
            latencies.push(Duration::from_secs_f64(latency_ms / 1000.0));
        }
    }
    let _ = reqwest::Client::new().delete(page.url()).send().await;

    latencies.sort();
    let (p50, p95, p99) = (
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
    );
    let max = latencies.last().unwrap().as_secs_f64() * 1000.0;
    let verdict = if p95 < 50.0 { "met" } else { "NOT met" };
    println!(
        "{label}: webhook → card, {} changes: p50 {p50:.1} ms, p95 {p95:.1} ms, p99 {p99:.1} ms, max {max:.1} ms (target p95 < 50 ms: {verdict})",
        latencies.len()
    );
    json!({
        "changes": latencies.len(),
        "warm_up": WARM_UP,
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p99,
        "max_ms": max,
        "target_p95_ms": 50,
    })
}

#[tokio::main]
async fn main() {
    if !(Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()) {
        println!(
            "\n*** SKIPPED: live_to_card needs chromium and chromium-driver (apt-get install -y chromium chromium-driver) ***\n"
        );
        return;
    }
    bench::on_each_database("live_to_card", run).await;
}
