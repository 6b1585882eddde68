//! Upload throughput over loopback: a 1 GiB single PUT and a 1 GiB upload in 32 MiB chunks, each
//! compared with writing the same bytes straight to the same directory (target ratio ≥ 0.5).
//!
//! Two comparisons: "page cache" (neither side syncs; the baseline is a memcpy into the page
//! cache) and "durable" (both sides end with `fsync`, so both are bound by the disk). Each figure
//! is the best of `RUNS`, since the machine is shared. Run with `cargo bench -p mux-emulator`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream;
use mux_emulator::EmulatorConfig;
use serde_json::Value;

const TOTAL: u64 = 1 << 30;
const BLOCK: usize = 1 << 20;
const CHUNK: u64 = 32 << 20;
const RUNS: usize = 3;

fn block() -> Bytes {
    Bytes::from((0..BLOCK).map(|i| (i % 251) as u8 + 1).collect::<Vec<u8>>())
}

/// The baseline: `TOTAL` bytes to a file in `dir` in 1 MiB writes (then `fsync` if `durable`).
fn direct_write(dir: &Path, durable: bool) -> Duration {
    let path = dir.join("direct-write.bin");
    let data = block();
    let started = Instant::now();
    let mut file = std::fs::File::create(&path).expect("create baseline file");
    for _ in 0..TOTAL / BLOCK as u64 {
        file.write_all(&data).expect("write baseline");
    }
    if durable {
        file.sync_all().expect("fsync baseline");
    }
    let elapsed = started.elapsed();
    drop(file);
    std::fs::remove_file(&path).expect("remove baseline file");
    elapsed
}

fn body(len: u64, data: Bytes) -> reqwest::Body {
    let blocks = len / BLOCK as u64;
    reqwest::Body::wrap_stream(stream::iter(
        (0..blocks).map(move |_| Ok::<_, std::io::Error>(data.clone())),
    ))
}

async fn create_upload(client: &reqwest::Client, base: &str) -> String {
    let created: Value = client
        .post(format!("{base}/video/v1/uploads"))
        .basic_auth("emulator", Some("emulator-secret"))
        .json(&serde_json::json!({"cors_origin": "*"}))
        .send()
        .await
        .expect("create upload")
        .json()
        .await
        .expect("upload JSON");
    created["data"]["url"]
        .as_str()
        .expect("upload url")
        .to_owned()
}

/// Sends 1 GiB to a new upload, whole or in `CHUNK`s; then `fsync`s the stored file if `durable`.
async fn upload(
    client: &reqwest::Client,
    base: &str,
    dir: &Path,
    chunked: bool,
    durable: bool,
) -> Duration {
    let url = create_upload(client, base).await;
    let data = block();
    let started = Instant::now();
    if chunked {
        let mut start = 0;
        while start < TOTAL {
            let end = (start + CHUNK).min(TOTAL);
            let response = client
                .put(&url)
                .header(
                    "content-range",
                    format!("bytes {start}-{}/{TOTAL}", end - 1),
                )
                .body(body(end - start, data.clone()))
                .send()
                .await
                .expect("chunk PUT");
            assert!(response.status() == 200 || response.status() == 308);
            start = end;
        }
    } else {
        let response = client
            .put(&url)
            .body(body(TOTAL, data))
            .send()
            .await
            .expect("PUT");
        assert_eq!(response.status(), 200);
    }
    if durable {
        for file in files(dir) {
            std::fs::File::open(file)
                .and_then(|f| f.sync_all())
                .expect("fsync upload");
        }
    }
    let elapsed = started.elapsed();
    for file in files(dir) {
        std::fs::remove_file(file).expect("remove upload");
    }
    elapsed
}

fn files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .expect("read data dir")
        .flatten()
        .map(|e| e.path())
        .collect()
}

fn mib_per_s(d: Duration) -> f64 {
    (TOTAL as f64 / (1 << 20) as f64) / d.as_secs_f64()
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::Builder::new()
            .prefix("mux-emulator-bench-")
            .tempdir()
            .expect("temp dir");
        let config = EmulatorConfig {
            data_dir: Some(dir.path().to_owned()),
            processing_delay: Duration::from_secs(3600),
            ..EmulatorConfig::default()
        };
        let emulator = mux_emulator::start_on_ephemeral_port(config)
            .await
            .expect("emulator starts");
        let base = emulator.base_url();
        let client = reqwest::Client::new();
        println!(
            "upload_throughput: 1 GiB over loopback into {} (best of {RUNS})",
            dir.path().display()
        );
        for durable in [false, true] {
            let mode = if durable {
                "durable (fsync)"
            } else {
                "page cache"
            };
            let (mut direct, mut single, mut chunked) =
                (Duration::MAX, Duration::MAX, Duration::MAX);
            for _ in 0..RUNS {
                direct = direct.min(tokio::task::block_in_place(|| {
                    direct_write(dir.path(), durable)
                }));
                single = single.min(upload(&client, &base, dir.path(), false, durable).await);
                chunked = chunked.min(upload(&client, &base, dir.path(), true, durable).await);
            }
            println!("{mode}: direct write {:.1} MiB/s", mib_per_s(direct));
            for (name, took) in [("single PUT", single), ("chunked PUT (32 MiB)", chunked)] {
                println!(
                    "  {name:<22} {:>8.1} MiB/s   ratio {:.2}",
                    mib_per_s(took),
                    direct.as_secs_f64() / took.as_secs_f64()
                );
            }
        }
        emulator.shutdown().await;
    });
}
