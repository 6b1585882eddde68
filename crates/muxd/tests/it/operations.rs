//! What operators rely on: the health JSON (the guide's shape, no secrets) and the playback-id
//! integrity check with repair. Metrics are in `prometheus`, the live stream in `live`.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::media::fixture;
use muxd_testkit::app::{TestApp, OLD_SIGNING_SECRET, SIGNING_SECRET};
use muxd_testkit::app_test;
use muxd_testkit::databases::{eventually, exec};

app_test!(
    health_has_the_guides_shape_and_no_secrets,
    |app: TestApp| async move {
        let (id, _) = app.create_upload("user_health", "h.mp4").await;
        app.wait_for("user_health", &id, |s| s == "AWAITING_UPLOAD")
            .await;
        // Health's figures may be up to a second old: wait for the new row to show.
        let counted =
            async || app.health().await["database"]["statusCounts"]["AWAITING_UPLOAD"] == 1;
        eventually("the new upload counted in health", counted).await;
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

        // Break the row behind muxd's back, as a bad migration or a hand edit would.
        let broken = exec(
            &app.store,
            &format!(
                "UPDATE creative_assets SET playback_id = 'bogus-playback-id' WHERE id = '{id}'"
            ),
        )
        .await;
        assert_eq!(broken, 1);
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
        // The repair went through the lifecycle: recorded, in the admin's name.
        let events = app.store.asset_events(id.parse().unwrap()).await.unwrap();
        let last = events.last().unwrap();
        assert_eq!(
            (last.to_status.as_str(), last.cause.as_str()),
            ("READY", "repair"),
            "{events:?}"
        );
        // Repairing what is already right changes and records nothing.
        let (_, report) = app
            .call(
                Method::POST,
                "/api/debug/verify-mux-playback-ids",
                admin,
                Some(json!({"repair": true})),
            )
            .await;
        assert_eq!(report["problems"], 0, "{report}");
        let again = app.store.asset_events(id.parse().unwrap()).await.unwrap();
        assert_eq!(again.len(), events.len());
    }
);
