//! What operators and pages rely on: the health JSON (the guide's shape, no secrets), Prometheus
//! metrics, the live stream with resume, and the playback-id integrity check with repair.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::app::{app_test, fixture, TestApp, OLD_SIGNING_SECRET, SIGNING_SECRET};
use crate::harness::eventually;

app_test!(
    health_has_the_guides_shape_and_no_secrets,
    |app: TestApp| async move {
        let (id, _) = app.create_upload("user_health", "h.mp4").await;
        app.wait_for("user_health", &id, |s| s == "AWAITING_UPLOAD")
            .await;
        let response = app
            .http
            .get(format!("{}/api/health/mux-system", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.unwrap();
        for secret in [SIGNING_SECRET, OLD_SIGNING_SECRET, "emulator-secret"] {
            assert!(!text.contains(secret), "health leaks a secret: {text}");
        }
        let health: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(health["status"], "healthy", "{health}");
        assert_eq!(health["resilience"]["circuitBreaker"]["state"], "CLOSED");
        assert_eq!(health["resilience"]["retryBudget"]["budgetLimit"], 10);
        assert_eq!(health["database"]["connected"], true);
        assert_eq!(health["database"]["statusCounts"]["AWAITING_UPLOAD"], 1);
        assert_eq!(health["processing"]["currentlyProcessing"], 1);
        for key in ["timestamp", "responseTime", "uptimeSeconds", "version"] {
            assert!(!health[key].is_null(), "{key} missing: {health}");
        }
        // The emulator's `video.upload.created` has been received by now.
        let received = async || app.health().await["webhooks"]["lastReceivedAt"].is_string();
        eventually("a received webhook showing in health", received).await;
    }
);

app_test!(
    metrics_count_webhooks_and_mux_calls,
    |app: TestApp| async move {
        app.create_upload("user_metrics", "m.mp4").await;
        assert_eq!(app.post_webhook(b"{}", None).await, StatusCode::BAD_REQUEST);
        let text = app
            .http
            .get(format!("{}/metrics", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            text.contains("muxd_webhooks_rejected_total{reason=\"missing_header\"}"),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l.starts_with("mux_") || l.contains("mux_api")),
            "no client metrics in:\n{text}"
        );
    }
);

/// Reads SSE frames until one of `event` arrives for `id`; returns its data.
async fn next_event(
    response: &mut reqwest::Response,
    buffer: &mut String,
    event: &str,
    id: &str,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let kind = frame
                .lines()
                .find_map(|l| l.strip_prefix("event:"))
                .map(str::trim);
            let data = frame
                .lines()
                .find_map(|l| l.strip_prefix("data:"))
                .map(str::trim);
            if let (Some(kind), Some(data)) = (kind, data) {
                let value: Value = serde_json::from_str(data).unwrap_or(Value::Null);
                if kind == event && value["id"] == id {
                    return value;
                }
            }
        }
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .expect("event in time")
            .unwrap()
            .expect("stream open");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

app_test!(
    the_live_stream_pushes_changes_and_resumes,
    |app: TestApp| async move {
        let token = app.token("user_live", false);
        let mut stream = app
            .http
            .get(format!("{}/api/live", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        let (id, url) = app.create_upload("user_live", "live.mp4").await;
        app.http
            .put(&url)
            .body(fixture("tiny-2s-320x240.mp4"))
            .send()
            .await
            .unwrap();
        let mut buffer = String::new();
        let mut seen = Vec::new();
        loop {
            let asset = next_event(&mut stream, &mut buffer, "asset", &id).await;
            seen.push(asset["status"].as_str().unwrap().to_owned());
            if asset["status"] == "READY" {
                break;
            }
        }
        assert!(seen.contains(&"MUX_PROCESSING".to_owned()), "{seen:?}");
        drop(stream);
        // A reconnect from before the upload replays the asset's current state.
        let mut resumed = app
            .http
            .get(format!("{}/api/live", app.base))
            .bearer_auth(&token)
            .header("last-event-id", "0")
            .send()
            .await
            .unwrap();
        let replayed = next_event(&mut resumed, &mut String::new(), "asset", &id).await;
        assert_eq!(replayed["status"], "READY");
        // Another user's stream hears nothing of it.
        let (other_id, _) = app.create_upload("user_live", "again.mp4").await;
        let mut other = app
            .http
            .get(format!("{}/api/live?since=0", app.base))
            .bearer_auth(app.token("user_elsewhere", false))
            .send()
            .await
            .unwrap();
        let first = tokio::time::timeout(Duration::from_millis(500), other.chunk()).await;
        let text = first
            .ok()
            .and_then(|c| c.ok().flatten())
            .map(|c| String::from_utf8_lossy(&c).into_owned())
            .unwrap_or_default();
        assert!(!text.contains(&other_id) && !text.contains(&id), "{text}");
    }
);

app_test!(
    playback_ids_are_verified_and_repaired,
    |app: TestApp| async move {
        let (id, url) = app.create_upload("user_verify", "v.mp4").await;
        app.http
            .put(&url)
            .body(fixture("tiny-2s-320x240.mp4"))
            .send()
            .await
            .unwrap();
        let asset = app.wait_for("user_verify", &id, |s| s == "READY").await;
        let good = asset["playbackId"].as_str().unwrap().to_owned();
        let admin = Some(("user_admin", true));
        let (status, report) = app
            .call(
                Method::POST,
                "/api/debug/verify-mux-playback-ids",
                admin,
                Some(json!({})),
            )
            .await;
        assert_eq!(
            (
                status,
                report["checked"].as_i64(),
                report["problems"].as_i64()
            ),
            (StatusCode::OK, Some(1), Some(0)),
            "{report}"
        );

        app.store
            .set_playback(
                id.parse().unwrap(),
                "bogus-playback-id",
                "https://x/bogus.m3u8",
            )
            .await
            .unwrap();
        let (_, report) = app
            .call(
                Method::POST,
                "/api/debug/verify-mux-playback-ids",
                admin,
                Some(json!({})),
            )
            .await;
        assert_eq!(report["problems"], 1, "{report}");
        assert_eq!(report["report"][0]["repaired"], false);
        let (_, report) = app
            .call(
                Method::POST,
                "/api/debug/verify-mux-playback-ids",
                admin,
                Some(json!({"repair": true})),
            )
            .await;
        assert_eq!(report["report"][0]["repaired"], true, "{report}");
        let (_, asset) = app
            .call(
                Method::GET,
                &format!("/api/creative-assets/{id}"),
                Some(("user_verify", false)),
                None,
            )
            .await;
        assert_eq!(asset["playbackId"], good.as_str());
    }
);
