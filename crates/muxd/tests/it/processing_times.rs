//! Processing-time analytics against an upload scripted on the emulator's clock: the person takes
//! [`UPLOADING`] seconds to send the file (the clock is advanced before it arrives), Mux takes
//! [`PROCESSING`] (the emulator's processing delay, ended by advancing the clock), and the admin
//! report and the `muxd_processing_seconds` histogram show just that, give or take the real
//! seconds the test itself takes. Also: the report's read takes the `ready_at` index on both
//! backends.

use muxd_domain::ExternalUserId;
use std::time::Duration;

use muxd_domain::AssetId;
use muxd_store::processing::READY_SINCE;
use muxd_store::{Role, Store};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::media::fixture;
use muxd_testkit::app::TestApp;
use muxd_testkit::app_test;
use muxd_testkit::databases::{eventually, exec, explain_plan, store_test};

/// Seconds the scripted upload takes, and then Mux's processing, on the emulator's clock (each in
/// the middle of a histogram bucket: 120–300 s and 1,200–1,800 s).
const UPLOADING: u64 = 240;
const PROCESSING: u64 = 1_500;
/// Real seconds the test itself may add to a figure.
const SLACK: f64 = 60.0;
/// A 320x240 video (Mux's 720p tier), announced at its size (under 10 MB).
const FILE: &str = "tiny-2s-320x240.mp4";
const OWNER: &str = "user_times";
const ADMIN: (&str, bool) = ("user_times_admin", true);

/// The cumulative count of bucket `le` of `muxd_processing_seconds{stage="processing",
/// tier="720p", size_band="lt_10mb"}` in a `/metrics` text (0 before any sample).
fn bucket(metrics: &str, le: &str) -> u64 {
    let wanted = [
        "stage=\"processing\"".to_owned(),
        "tier=\"720p\"".to_owned(),
        "size_band=\"lt_10mb\"".to_owned(),
        format!("le=\"{le}\""),
    ];
    metrics
        .lines()
        .filter(|line| line.starts_with("muxd_processing_seconds_bucket{"))
        .filter(|line| wanted.iter().all(|label| line.contains(label.as_str())))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

/// Samples of that series above 1,200 s and at most 1,800 s. `/metrics` is the whole process's,
/// so a test compares counts before and after; only this test (on either backend) records
/// processing that long.
fn slow_processing_samples(metrics: &str) -> u64 {
    bucket(metrics, "1800").saturating_sub(bucket(metrics, "1200"))
}

/// Mux's processing time, as the emulator's processing delay.
fn delay() -> Duration {
    Duration::from_secs(PROCESSING)
}

/// `figures` (p50, p90 and max of one stage, in seconds) all lie in `[scripted, scripted + SLACK]`.
fn assert_scripted(figures: &Value, scripted: u64, stage: &str) {
    let scripted = scripted as f64;
    for key in ["p50", "p90", "max"] {
        let seconds = figures[key]
            .as_f64()
            .unwrap_or_else(|| panic!("no {stage}.{key} in {figures}"));
        assert!(
            (scripted..=scripted + SLACK).contains(&seconds),
            "{stage}.{key} = {seconds} s, scripted {scripted} s"
        );
    }
}

app_test!(
    the_figures_match_an_upload_scripted_on_the_emulator_clock,
    spawn = |backend| TestApp::spawn_with_processing_delay(backend, delay()),
    |app: TestApp| async move {
        let before = slow_processing_samples(&app.metrics().await);
        let bytes = fixture(FILE);
        let (status, created) = app
            .call(
                Method::POST,
                "/api/mux/create-video-upload",
                Some((OWNER, false)),
                Some(json!({"name": FILE, "fileType": "video/mp4", "fileSize": bytes.len()})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_str().unwrap().to_owned();
        let url = created["url"].as_str().unwrap().to_owned();

        // The person takes UPLOADING seconds to send the file; Mux then has it.
        app.emulator.advance_clock(Duration::from_secs(UPLOADING));
        let response = app.http.put(&url).body(bytes).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let asset = app.wait_for(OWNER, &id, |s| s != "AWAITING_UPLOAD").await;
        assert_eq!(asset["status"], "MUX_PROCESSING", "{asset}");
        // Mux takes PROCESSING seconds.
        app.emulator.advance_clock(Duration::from_secs(PROCESSING));
        let asset = app.wait_for(OWNER, &id, |s| s != "MUX_PROCESSING").await;
        assert_eq!(asset["status"], "READY", "{asset}");

        // The histogram: recorded once the move to READY committed.
        eventually(
            "a processing sample of 1,200-1,800 s in /metrics",
            async || slow_processing_samples(&app.metrics().await) > before,
        )
        .await;

        // The admin report.
        let (status, report) = app
            .call(
                Method::GET,
                "/api/debug/processing-times?days=7",
                Some(ADMIN),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["sampled"], 1, "{report}");
        assert_eq!(report["cap"], 50_000, "{report}");
        let groups = report["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 1, "{report}");
        let group = &groups[0];
        assert_eq!(
            (group["tier"].as_str(), group["sizeBand"].as_str()),
            (Some("720p"), Some("lt_10mb")),
            "{report}"
        );
        assert_eq!(group["count"], 1, "{report}");
        assert_eq!(group["slowestStage"], "processing", "{report}");
        assert_scripted(&group["upload"], UPLOADING, "upload");
        assert_scripted(&group["processing"], PROCESSING, "processing");
        assert_scripted(&group["total"], UPLOADING + PROCESSING, "total");
        let overall = &report["overall"];
        assert_eq!(overall["count"], 1, "{report}");
        assert_eq!(overall["processing"], group["processing"], "{report}");
        let ready_days: Vec<&Value> = report["daily"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|day| day["count"] == 1)
            .collect();
        assert_eq!(ready_days.len(), 1, "{report}");
        let total = ready_days[0]["totalP50"].as_f64().unwrap();
        assert_eq!(Some(total), group["total"]["p50"].as_f64(), "{report}");

        // A window outside 1..=90 days is refused in muxd's error shape.
        for bad in ["0", "91", "seven", "-1"] {
            let (status, body) = app
                .call(
                    Method::GET,
                    &format!("/api/debug/processing-times?days={bad}"),
                    Some(ADMIN),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "days={bad}: {body}");
            assert_eq!(body["error"]["type"], "invalid_parameters", "{body}");
        }
    }
);

store_test!(
    the_report_reads_through_the_ready_at_index,
    super::the_report_reads_through_the_ready_at_index
);
async fn the_report_reads_through_the_ready_at_index(store: Store) {
    let owner = store
        .upsert_user(&ExternalUserId::parse("user_plan").unwrap(), Role::User)
        .await
        .unwrap();
    // Many rows, half of them ready (at `n`), then fresh statistics.
    let mut values = Vec::new();
    for n in 0..3000 {
        let (status, ready_at) = if n % 2 == 0 {
            ("READY", n.to_string())
        } else {
            ("MUX_PROCESSING", "NULL".to_owned())
        };
        values.push(format!(
            "('{id}', '{owner}', 'x', '{id}', '{status}', {ready_at}, {n}, {n})",
            id = AssetId::new(),
            owner = owner.id,
        ));
    }
    exec(
        &store,
        &format!(
            "INSERT INTO creative_assets (id, owner_id, name, passthrough, mux_processing_status,
                ready_at, created_at, updated_at) VALUES {}",
            values.join(", ")
        ),
    )
    .await;
    exec(&store, "ANALYZE").await;
    let explain = match store.backend() {
        muxd_core::config::Backend::Postgres => "EXPLAIN",
        muxd_core::config::Backend::Sqlite => "EXPLAIN QUERY PLAN",
    };
    // Literals stand in for the parameters: the newest 25 ready rows (as a week is of years of
    // uploads), and the cap.
    let query = READY_SINCE.replace("$1", "2950").replace("$2", "50000");
    let plan = explain_plan(&store, &format!("{explain} {query}")).await;
    eprintln!("{explain} {query}\n{plan}");
    assert!(plan.contains("idx_creative_assets_ready_at"), "{plan}");
    assert!(
        !plan.contains("Seq Scan") && !plan.contains("SCAN creative_assets"),
        "a scan:\n{plan}"
    );
    assert!(
        !plan.contains("USE TEMP B-TREE FOR ORDER BY"),
        "a sort:\n{plan}"
    );
}
