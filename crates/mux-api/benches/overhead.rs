//! What the resilience layer costs per call (issue 4: target < 5 µs median added per call).
//!
//! 1. Over HTTP: a zero-latency in-process axum server answers a canned `GET asset`; each
//!    iteration times the bare client (`http::Transport`, no layer) and the full client
//!    (`MuxClient::get_asset`: pacing off, breaker, budget, timeout, metrics) back to back, in
//!    alternating order, and the report compares their medians and p99s. Both run under the same
//!    10 s request timeout (a client property; the layer only shortens it to the deadline).
//! 2. Without HTTP: `Resilience::run` around a future that is immediately ready, against awaiting
//!    that future directly: the layer's own cost with no network noise.
//!
//! Run with `cargo bench -p mux-api`. No metrics recorder is installed, so metric calls are the
//! facade's no-ops.

use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use mux_api::http::Request;
use mux_api::resilience::{CallSpec, RateClass, Resilience};
use mux_api::{Asset, ClientConfig, MuxClient, MuxError};
use rand::rngs::StdRng;
use rand::SeedableRng;

const ASSET: &str = r#"{"data":{"id":"lJ4bGGsp7ZlPf02nMg015W02iHQLN9XnuuLRBsPS00xqd68","status":"ready",
"created_at":"1609868768","duration":23.857167,"aspect_ratio":"16:9",
"playback_ids":[{"policy":"public","id":"vAFLI2eKFFicXX00iHBS2vqt5JjJGg5HV6fQ4Xijgt1I"}],
"tracks":[{"type":"video","max_width":1920,"max_height":1080,"max_frame_rate":29.97,"duration":23.8238,"id":"RiyQ"},
{"type":"audio","max_channels":2,"duration":23.823792,"id":"LvIN"}],
"resolution_tier":"1080p","max_stored_frame_rate":29.97,"passthrough":"example"}}"#;
const ASSET_ID: &str = "lJ4bGGsp7ZlPf02nMg015W02iHQLN9XnuuLRBsPS00xqd68";
/// The request timeout both variants run under (the client's default).
const TIMEOUT: Duration = Duration::from_secs(10);
const WARMUP: usize = 2_000;
const HTTP_ITERATIONS: usize = 20_000;
const LAYER_BATCHES: usize = 2_000;
const BATCH: usize = 100;

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        over_http().await;
        layer_only().await;
    });
}

fn config(base_url: &str) -> ClientConfig {
    let mut config = ClientConfig::new("bench", "bench-secret").with_base_url(base_url);
    config.rate_limit.enabled = false;
    config.rng_seed = Some(1);
    config
}

async fn over_http() {
    let app = Router::new().route(
        "/video/v1/assets/{id}",
        get(|| async { ([("content-type", "application/json")], ASSET) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let config = config(&base_url);
    let full = MuxClient::new(config).expect("client");
    // The same connection pool, without the layer: only the layer differs between the two.
    let bare = full.transport().clone();
    let bare_call = || async {
        let request = Request::new(reqwest::Method::GET, format!("/video/v1/assets/{ASSET_ID}"));
        bare.fetch::<Asset>(&request, TIMEOUT)
            .await
            .expect("bare call")
    };
    let full_call = || async { full.get_asset(ASSET_ID).await.expect("full call") };

    for _ in 0..WARMUP {
        bare_call().await;
        full_call().await;
    }
    let mut bare_times = Vec::with_capacity(HTTP_ITERATIONS);
    let mut full_times = Vec::with_capacity(HTTP_ITERATIONS);
    for i in 0..HTTP_ITERATIONS {
        if i % 2 == 0 {
            bare_times.push(timed(bare_call()).await);
            full_times.push(timed(full_call()).await);
        } else {
            full_times.push(timed(full_call()).await);
            bare_times.push(timed(bare_call()).await);
        }
    }
    let (bare_median, bare_p99) = percentiles(&mut bare_times);
    let (full_median, full_p99) = percentiles(&mut full_times);
    println!("over HTTP, {HTTP_ITERATIONS} calls each (zero-latency local server, GET asset):");
    println!(
        "  bare client       median {:>9.2} µs   p99 {:>9.2} µs",
        us(bare_median),
        us(bare_p99)
    );
    println!(
        "  through the layer median {:>9.2} µs   p99 {:>9.2} µs",
        us(full_median),
        us(full_p99)
    );
    println!(
        "  added per call    median {:>9.2} µs   p99 {:>9.2} µs",
        us(full_median) - us(bare_median),
        us(full_p99) - us(bare_p99)
    );
    let totals = full.resilience_snapshot().totals;
    assert_eq!(totals.retries, 0, "a healthy server needs no retries");
}

async fn layer_only() {
    let layer = Resilience::new(&config("http://unused"), StdRng::seed_from_u64(1), None);
    let spec = CallSpec {
        operation: "get_asset",
        class: RateClass::Other,
        deadline: None,
    };
    let ready = |_limit: Duration| async { Ok::<u64, MuxError>(1) };
    let mut direct = Vec::with_capacity(LAYER_BATCHES);
    let mut layered = Vec::with_capacity(LAYER_BATCHES);
    for _ in 0..LAYER_BATCHES {
        let started = Instant::now();
        for _ in 0..BATCH {
            std::hint::black_box(ready(TIMEOUT).await.expect("ready"));
        }
        direct.push(started.elapsed() / BATCH as u32);
        let started = Instant::now();
        for _ in 0..BATCH {
            std::hint::black_box(layer.run(spec, ready).await.expect("layered"));
        }
        layered.push(started.elapsed() / BATCH as u32);
    }
    let (direct_median, direct_p99) = percentiles(&mut direct);
    let (layer_median, layer_p99) = percentiles(&mut layered);
    println!(
        "layer alone, {} calls (ready future, per-call mean of batches of {BATCH}):",
        LAYER_BATCHES * BATCH
    );
    println!(
        "  added per call    median {:>9.3} µs   p99 {:>9.3} µs",
        us(layer_median) - us(direct_median),
        us(layer_p99) - us(direct_p99)
    );
}

async fn timed<F: std::future::Future>(future: F) -> Duration {
    let started = Instant::now();
    std::hint::black_box(future.await);
    started.elapsed()
}

fn percentiles(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
