//! Prometheus metrics, checked so that no sibling test can make them pass. Every app in this
//! binary records into one process-wide Prometheus recorder, so a line in `/metrics` may well be
//! another test's. One test therefore counts into a recorder of its own, around an app that runs
//! on its thread only; the other has `/metrics` render a label value only it could have recorded.

use metrics::{SharedString, Unit};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use metrics_util::CompositeKey;
use reqwest::StatusCode;

use muxd_testkit::app::{Backend, TestApp};
use muxd_testkit::app_test;
use muxd_testkit::databases::eventually;

/// Everything recorded, as one snapshot (taking it resets the recorder's counters).
type Snapshot = Vec<(CompositeKey, Option<Unit>, Option<SharedString>, DebugValue)>;

/// The counter `name` with exactly `labels` in `snapshot` (0 if never counted).
fn counter(snapshot: &Snapshot, name: &str, labels: &[(&str, &str)]) -> u64 {
    let mut want = labels.to_vec();
    want.sort_unstable();
    let wanted = |key: &CompositeKey| {
        let key = key.key();
        let mut have: Vec<(&str, &str)> = key.labels().map(|l| (l.key(), l.value())).collect();
        have.sort_unstable();
        key.name() == name && have == want
    };
    snapshot
        .iter()
        .find_map(|(key, _, _, value)| match value {
            DebugValue::Counter(n) if wanted(key) => Some(*n),
            _ => None,
        })
        .unwrap_or(0)
}

/// The gauge `name` with exactly `labels` in `snapshot`, if ever set.
fn gauge(snapshot: &Snapshot, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    snapshot.iter().find_map(|(key, _, _, value)| {
        let key = key.key();
        let have: Vec<(&str, &str)> = key.labels().map(|l| (l.key(), l.value())).collect();
        match value {
            DebugValue::Gauge(v) if key.name() == name && have == labels => Some(v.into_inner()),
            _ => None,
        }
    })
}

/// Counts into a recorder of this test's own, on both backends. Plain `#[test]`s with a
/// current-thread runtime each: muxd, the emulator and the test all run on the test's thread,
/// inside `with_local_recorder`, so every count is this test's alone and the figures are exact.
mod metrics_count_webhooks_and_mux_calls {
    #[test]
    fn sqlite() {
        super::metrics_count_webhooks_and_mux_calls(super::Backend::Sqlite);
    }
    #[test]
    fn postgres() {
        super::metrics_count_webhooks_and_mux_calls(super::Backend::Postgres);
    }
}

fn metrics_count_webhooks_and_mux_calls(backend: Backend) {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let ran = metrics::with_local_recorder(&recorder, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let Some(app) = TestApp::spawn(backend).await else {
                return false; // PostgreSQL unavailable outside CI (the harness said so)
            };
            app.create_upload("user_metrics", "m.mp4").await;
            assert_eq!(app.post_webhook(b"{}", None).await, StatusCode::BAD_REQUEST);
            // Health's reading that counts the new row also sets the gauges; the emulator's
            // `video.upload.created` sets the last-received one.
            let counted = async || {
                let health = app.health().await;
                health["database"]["statusCounts"]["AWAITING_UPLOAD"] == 1
                    && health["webhooks"]["lastReceivedAt"].is_string()
            };
            eventually("the upload and its first webhook in health", counted).await;
            true
        })
    });
    if !ran {
        return;
    }
    let snapshot: Snapshot = snapshotter.snapshot().into_vec();
    let missing_header = [("reason", "missing_header")];
    assert_eq!(
        counter(&snapshot, "muxd_webhooks_rejected_total", &missing_header),
        1,
        "{snapshot:?}"
    );
    let created = [("operation", "create_upload"), ("outcome", "ok")];
    assert_eq!(
        counter(&snapshot, "mux_api_calls_total", &created),
        1,
        "{snapshot:?}"
    );
    let gauges = [
        (
            "muxd_assets_in_flight",
            &[("status", "AWAITING_UPLOAD")][..],
            1.0,
        ),
        (
            "muxd_assets_in_flight",
            &[("status", "MUX_PROCESSING")][..],
            0.0,
        ),
        ("muxd_assets_stuck", &[][..], 0.0),
        ("muxd_database_up", &[][..], 1.0),
    ];
    for (name, labels, expected) in gauges {
        assert_eq!(
            gauge(&snapshot, name, labels),
            Some(expected),
            "{name} {labels:?}"
        );
    }
    let now = muxd_store::now_ms() as f64 / 1000.0;
    for (name, labels) in [
        ("muxd_webhook_last_received_timestamp_seconds", &[][..]),
        (
            "muxd_job_last_success_timestamp_seconds",
            &[("task", "metrics_upkeep")][..],
        ),
    ] {
        let at = gauge(&snapshot, name, labels).unwrap_or(0.0);
        assert!(
            (now - 600.0..=now).contains(&at),
            "{name} {labels:?} = {at}"
        );
    }
}

app_test!(
    metrics_render_what_muxd_counts_in_the_prometheus_format,
    |app: TestApp| async move {
        // A rejection reason no other test uses, counted the way the webhook handler counts one.
        let reason: &'static str =
            Box::leak(format!("test_{}", uuid::Uuid::new_v4().simple()).into_boxed_str());
        app.app.webhook_stats.rejected(reason);
        let text = app.metrics().await;
        let line = format!("muxd_webhooks_rejected_total{{reason=\"{reason}\"}} 1");
        assert!(text.lines().any(|l| l == line), "no `{line}` in:\n{text}");
    }
);

app_test!(
    the_shipped_alerts_and_dashboard_use_only_metrics_muxd_exports,
    |app: TestApp| async move {
        // Touch what records lazily: a Mux call, webhooks acknowledged, one refused, an asset
        // turning READY.
        let (id, url) = app.create_upload("user_ops", "ops.mp4").await;
        let put = reqwest::Client::new()
            .put(&url)
            .body(crate::media::fixture("tiny-2s-320x240.mp4"))
            .send()
            .await
            .unwrap();
        assert!(put.status().is_success());
        let asset = app.wait_for("user_ops", &id, |s| s == "READY").await;
        assert_eq!(asset["status"], "READY", "{asset}");
        assert_eq!(app.post_webhook(b"{}", None).await, StatusCode::BAD_REQUEST);
        let text = app.metrics().await;
        let dir = muxd_testkit::databases::TempDir::new().unwrap();
        let scraped = dir.path().join("metrics.txt");
        std::fs::write(&scraped, &text).unwrap();
        let ops = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ops");
        let checked = std::process::Command::new("python3")
            .arg(format!("{ops}/check_metric_names.py"))
            .arg(&scraped)
            .output()
            .expect("python3 runs the checker (install python3)");
        assert!(
            checked.status.success(),
            "the alerts or the dashboard use metrics muxd does not export:\n{}{}",
            String::from_utf8_lossy(&checked.stdout),
            String::from_utf8_lossy(&checked.stderr)
        );
    }
);
