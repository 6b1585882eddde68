//! What muxd's benchmarks share: the app built for a database, served on loopback, rows with an
//! upload and the webhooks of their ready path, signed webhook requests, percentiles, and running
//! one benchmark on SQLite then on a fresh PostgreSQL database (`databases::PgDatabase`: skipped loudly if
//! unreachable).

use muxd_domain::ExternalUserId;
use std::time::Duration;

use muxd::app::{self, App, Wiring};
use muxd_core::config::{DatabaseUrl, Mode, Settings};
use muxd_core::identity::Identity;
use muxd_domain::{signature, AssetId, CampaignId, UserId};
use muxd_store::{now_ms, NewAsset, Role, Store};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::databases::PgDatabase;

/// The webhook signing secret of every benchmark app.
pub const SECRET: &str = "bench-secret";

/// muxd's app over `url` (migrated), with no reconciler and a Mux that is never called.
pub async fn app(url: &DatabaseUrl) -> App {
    app_with(url, &[]).await
}

/// [`app`] with these settings besides.
pub async fn app_with(url: &DatabaseUrl, extra: &[(&str, &str)]) -> App {
    let store = Store::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    let vars = [
        ("MUX_WEBHOOK_SIGNING_SECRET", SECRET),
        ("MUX_BASE_URL", "http://127.0.0.1:9"),
        ("DATABASE_URL", url.expose()),
    ]
    .iter()
    .chain(extra)
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let settings = Settings::load(&vars, Mode::Dev).unwrap();
    let wiring = Wiring {
        identity: Identity::dev(b"bench"),
        mux: app::mux_config(&settings),
        reconcile: None,
    };
    App::build(&settings, store, wiring).unwrap()
}

/// Serves `app` on a loopback port until the process ends; returns its base URL.
pub async fn serve(app: &App) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app.router(axum::Router::new());
    tokio::spawn(app::serve(
        app.clone(),
        router,
        listener,
        std::future::pending(),
    ));
    base
}

/// `rows` fresh rows of one user and the 3 events of each one's ready path, in delivery order
/// (every row's first step, then every second…); upload ids are `{tag}{n}`.
pub async fn ready_path_workload(store: &Store, tag: &str, rows: usize) -> Vec<Vec<u8>> {
    let user = store
        .upsert_user(&ExternalUserId::parse("user_bench").unwrap(), Role::User)
        .await
        .unwrap();
    let mut made = Vec::with_capacity(rows);
    for n in 0..rows {
        let upload = format!("{tag}{n}");
        made.push((row_with_upload(store, user.id, &upload).await, upload));
    }
    (0..3)
        .flat_map(|step| {
            made.iter()
                .map(move |(id, up)| ready_path_event(*id, up, step))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A new row of `owner`'s whose direct upload is `upload`.
pub async fn row_with_upload(store: &Store, owner: UserId, upload: &str) -> AssetId {
    row_in_campaign(store, owner, None, upload).await
}

/// A new row of `owner`'s in `campaign` (if any) whose direct upload is `upload`.
pub async fn row_in_campaign(
    store: &Store,
    owner: UserId,
    campaign: Option<CampaignId>,
    upload: &str,
) -> AssetId {
    let id = AssetId::new();
    let new = NewAsset {
        id,
        owner_id: owner,
        campaign_id: campaign,
        influencer_id: None,
        name: "b".into(),
        description: None,
        file_size: None,
        encoding: None,
    };
    store.insert_asset(&new).await.unwrap();
    store.set_upload(id, upload, "https://u").await.unwrap();
    id
}

/// Step `step` (0: `video.upload.asset_created`, 1: `video.asset.created`, 2: `video.asset.ready`)
/// of the ready path of row `row`, whose upload is `upload`, as Mux sends it.
pub fn ready_path_event(row: AssetId, upload: &str, step: usize) -> Vec<u8> {
    let (asset, row) = (format!("as-{upload}"), row.to_string());
    let (kind, data) = match step {
        0 => (
            "video.upload.asset_created",
            json!({"id": upload, "status": "asset_created", "asset_id": asset, "new_asset_settings": {"passthrough": row}}),
        ),
        1 => (
            "video.asset.created",
            json!({"id": asset, "upload_id": upload, "status": "preparing", "passthrough": row}),
        ),
        _ => (
            "video.asset.ready",
            json!({"id": asset, "upload_id": upload, "status": "ready", "passthrough": row, "duration": 10.0, "aspect_ratio": "16:9", "playback_ids": [{"id": format!("pb-{upload}"), "policy": "public"}]}),
        ),
    };
    serde_json::to_vec(&json!({"type": kind, "id": format!("evt-{upload}-{step}"), "created_at": "2026-11-23T10:00:00.000000Z",
        "object": {"type": "asset", "id": upload}, "environment": {"name": "Bench", "id": "b"}, "data": data, "attempts": []}))
    .unwrap()
}

/// Step `step` of a row's whole path as Mux sends it: 0 is `video.upload.created` (the upload
/// waits for its file), 1 to 3 are [`ready_path_event`]'s steps 0 to 2.
pub fn upload_path_event(row: AssetId, upload: &str, step: usize) -> Vec<u8> {
    if step > 0 {
        return ready_path_event(row, upload, step - 1);
    }
    let data = json!({"id": upload, "status": "waiting", "timeout": 3600,
        "new_asset_settings": {"passthrough": row.to_string(), "playback_policy": ["public"]}});
    serde_json::to_vec(
        &json!({"type": "video.upload.created", "id": format!("evt-{upload}-created"),
        "created_at": "2026-11-23T09:59:00.000000Z", "object": {"type": "upload", "id": upload},
        "environment": {"name": "Bench", "id": "b"}, "data": data, "attempts": []}),
    )
    .unwrap()
}

/// A webhook delivery of `body` to `url`, signed now with [`SECRET`].
pub fn signed(http: &reqwest::Client, url: &str, body: Vec<u8>) -> reqwest::RequestBuilder {
    let t = now_ms() / 1000;
    http.post(url)
        .header(
            "mux-signature",
            format!("t={t},v1={}", signature::sign(SECRET.as_bytes(), t, &body)),
        )
        .body(body)
}

/// The `p` quantile (0..1) of sorted latencies, in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Runs `bench` on a fresh SQLite file, then on a fresh PostgreSQL database, each labelled, and
/// writes what each run returned to `target/bench-results/<name>.json`. `MUXD_BENCH_DATABASES`
/// (`sqlite`, `postgres`) runs on that one only.
pub async fn on_each_database(name: &str, bench: impl AsyncFn(&str, DatabaseUrl) -> Value) {
    let only = std::env::var("MUXD_BENCH_DATABASES").ok();
    let wanted = |backend: &str| only.as_deref().is_none_or(|only| only.contains(backend));
    let mut runs = serde_json::Map::new();
    if wanted("sqlite") {
        let dir = std::env::temp_dir().join(format!("muxd-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sqlite =
            DatabaseUrl::parse(&format!("sqlite://{}", dir.join("bench.db").display())).unwrap();
        let label = "SQLite (WAL, synchronous=FULL)";
        runs.insert(label.into(), bench(label, sqlite).await);
        let _ = std::fs::remove_dir_all(&dir);
    }
    if wanted("postgres") {
        if let Some(database) = PgDatabase::create().await {
            runs.insert(
                "PostgreSQL".into(),
                bench("PostgreSQL", database.url.clone()).await,
            );
        }
    }
    write_results(name, &Value::Object(runs));
}

/// Writes `runs` as pretty JSON to `target/bench-results/<name>.json` in the workspace, with the
/// machine's cores, this process's peak RSS (the load generator's, when it runs in-process) and
/// when, and says where.
pub fn write_results(name: &str, runs: &Value) {
    let results = json!({
        "bench": name,
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "bench_process_peak_rss_mib": peak_rss_mib(),
        "finished_unix_ms": now_ms(),
        "runs": runs,
    });
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-results");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&results).unwrap()).unwrap();
    println!("results: {}", path.canonicalize().unwrap_or(path).display());
}

/// This process's peak resident memory (VmHWM) in MiB, if /proc tells.
pub fn peak_rss_mib() -> Option<f64> {
    status_mib("self", "VmHWM:")
}

/// A memory figure (`VmRSS:`, `VmHWM:` …) of process `process` (a pid, or `self`) in MiB, if
/// /proc tells.
pub fn status_mib(process: &str, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    let value = status.lines().find_map(|l| l.strip_prefix(field))?;
    let kib: f64 = value.trim_end_matches("kB").trim().parse().ok()?;
    Some(kib / 1024.0)
}
