//! The reconciler on both backends, stepped by hand on a chosen clock: it finds what dropped
//! webhooks never said, learns timeouts only a poll can tell, never lets two instances poll one
//! asset at once, ends sessions after 10 minutes as stuck, and backs off while Mux fails; an
//! asset resolved by polling costs two Mux calls.

use std::time::Duration;

use mux_emulator::{AssetStatus, FaultConfig, WebhookFaults};
use muxd_domain::schedule::Schedule;
use muxd_store::now_ms;
use serde_json::json;

use crate::media::fixture;
use muxd_testkit::app::TestApp;
use muxd_testkit::app_test;
use muxd_testkit::databases::eventually;

/// Polls what is due at once: no grace period.
fn eager() -> Schedule {
    Schedule {
        grace: Duration::ZERO,
        ..Schedule::default()
    }
}

fn drop_all_webhooks(app: &TestApp) {
    app.emulator.set_faults(FaultConfig {
        webhooks: WebhookFaults {
            drop_rate: 1.0,
            ..Default::default()
        },
        ..Default::default()
    });
}

/// Waits until the breaker's open window (test-short) has ended, as the breaker itself reports
/// it: no guess at how long it stays open. The report is in whole milliseconds, rounded down, so
/// the wait also covers the one millisecond it may hide.
async fn breaker_window_over(app: &TestApp) {
    let left_ms = || {
        let breaker = app.app.mux.resilience_snapshot().circuit_breaker;
        breaker.retry_after_ms.unwrap_or(0)
    };
    let at_least_until = tokio::time::Instant::now() + Duration::from_millis(left_ms() + 1);
    eventually("the breaker's open window ending", async || {
        left_ms() == 0 && tokio::time::Instant::now() >= at_least_until
    })
    .await;
}

async fn status(app: &TestApp, id: &str) -> String {
    let row = app.store.asset(id.parse().unwrap()).await.unwrap().unwrap();
    row.facts.status.as_str().to_owned()
}

app_test!(
    dropped_webhooks_are_made_up_for_by_polling,
    |app: TestApp| async move {
        drop_all_webhooks(&app);
        let (id, url) = app.create_upload("user_rec", "lost.mp4").await;
        app.http
            .put(&url)
            .body(fixture("tiny-2s-320x240.mp4"))
            .send()
            .await
            .unwrap();
        let ready = async || {
            app.emulator
                .assets()
                .iter()
                .any(|a| a.status == AssetStatus::Ready)
        };
        eventually("Mux finishing the asset", ready).await;
        assert_eq!(
            status(&app, &id).await,
            "AWAITING_UPLOAD",
            "a webhook got through"
        );
        app.emulator.clear_request_log();
        let outcome = app
            .app
            .reconciler(eager())
            .run_once("instance-a", now_ms())
            .await
            .unwrap();
        assert_eq!((outcome.polled, outcome.changed), (1, 1), "{outcome:?}");
        assert_eq!(status(&app, &id).await, "READY");
        // What resolving it cost at Mux: its upload, then its asset (the target is at most 3).
        let calls: Vec<String> = app
            .emulator
            .request_log()
            .iter()
            .filter(|r| r.path.starts_with("/video/"))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert_eq!(calls.len(), 2, "Mux calls to resolve one asset: {calls:?}");
        let history = app.store.asset_events(id.parse().unwrap()).await.unwrap();
        // Its creation (by the user), then only what polling found.
        assert_eq!(history[0].cause, "user", "{history:?}");
        assert!(
            history[1..].iter().all(|e| e.cause == "poll"),
            "{history:?}"
        );
        // Nothing in flight: the next step polls nothing.
        assert_eq!(
            app.app
                .reconciler(eager())
                .run_once("instance-a", now_ms() + 5_000)
                .await
                .unwrap()
                .polled,
            0
        );
    }
);

app_test!(timeouts_are_learned_by_polling, |app: TestApp| async move {
    drop_all_webhooks(&app); // only polling may tell, and no late webhook may race the clock
    let (id, _) = app.create_upload("user_rec", "forgotten.mp4").await;
    app.emulator.advance_clock(Duration::from_secs(3601));
    app.app
        .reconciler(eager())
        .run_once("instance-a", now_ms())
        .await
        .unwrap();
    assert_eq!(status(&app, &id).await, "TIMED_OUT");
});

app_test!(
    the_grace_period_leaves_fresh_assets_to_webhooks,
    |app: TestApp| async move {
        app.create_upload("user_rec", "fresh.mp4").await;
        let outcome = app
            .app
            .reconciler(Schedule::default())
            .run_once("instance-a", now_ms())
            .await
            .unwrap();
        assert_eq!(
            outcome.polled, 0,
            "polled an asset younger than the grace period"
        );
        let later = now_ms() + 61_000;
        assert_eq!(
            app.app
                .reconciler(Schedule::default())
                .run_once("instance-a", later)
                .await
                .unwrap()
                .polled,
            1
        );
    }
);

app_test!(
    two_instances_never_poll_one_asset_at_once,
    |app: TestApp| async move {
        drop_all_webhooks(&app);
        let mut uploads = Vec::new();
        for n in 0..6 {
            let (id, _) = app.create_upload("user_rec", &format!("{n}.mp4")).await;
            let row = app.store.asset(id.parse().unwrap()).await.unwrap().unwrap();
            uploads.push(row.mux_upload_id.unwrap());
        }
        app.emulator.clear_request_log();
        let now = now_ms();
        let reconciler = app.app.reconciler(eager());
        let (a, b) = tokio::join!(
            reconciler.run_once("instance-a", now),
            reconciler.run_once("instance-b", now)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.polled + b.polled, 6, "a {a:?} b {b:?}");
        let log = app.emulator.request_log();
        for upload in &uploads {
            let gets = log
                .iter()
                .filter(|r| r.method == "GET" && r.path.ends_with(&**upload))
                .count();
            assert_eq!(gets, 1, "upload {upload} polled {gets} times");
        }
    }
);

app_test!(
    sessions_end_stuck_after_ten_minutes_and_show_in_health,
    |app: TestApp| async move {
        drop_all_webhooks(&app); // a late webhook would make the row look fresh mid-test
        let (id, _) = app.create_upload("user_rec", "never-sent.mp4").await;
        let start = now_ms();
        assert_eq!(
            app.app
                .reconciler(eager())
                .run_once("a", start)
                .await
                .unwrap()
                .polled,
            1
        );
        // Due again 2 s later (healthy), not before.
        assert_eq!(
            app.app
                .reconciler(eager())
                .run_once("a", start + 1_000)
                .await
                .unwrap()
                .polled,
            0
        );
        assert_eq!(
            app.app
                .reconciler(eager())
                .run_once("a", start + 2_000)
                .await
                .unwrap()
                .polled,
            1
        );
        let outcome = app
            .app
            .reconciler(eager())
            .run_once("a", start + 10 * 60_000)
            .await
            .unwrap();
        assert_eq!(outcome.stuck, 1, "{outcome:?}");
        let row = app.store.asset(id.parse().unwrap()).await.unwrap().unwrap();
        assert!(row.stuck_since.is_some());
        assert_eq!(
            status(&app, &id).await,
            "AWAITING_UPLOAD",
            "stuck is a flag, not a status"
        );
        // Health's figures may be up to a second old.
        let stuck = async || app.health().await["polling"]["stuck"] == 1;
        eventually("the stuck upload counted in health", stuck).await;
        assert_eq!(app.health().await["status"], "degraded");
        let (_, listed) = app
            .call(
                reqwest::Method::GET,
                "/api/debug/mux-assets?stuck=true",
                Some(("user_admin", true)),
                None,
            )
            .await;
        assert_eq!(listed["data"][0]["asset"]["id"], id.as_str(), "{listed}");
        // Swept again every 5 minutes while stuck.
        assert_eq!(
            app.app
                .reconciler(eager())
                .run_once("a", start + 11 * 60_000)
                .await
                .unwrap()
                .polled,
            0
        );
        assert_eq!(
            app.app
                .reconciler(eager())
                .run_once("a", start + 15 * 60_000)
                .await
                .unwrap()
                .polled,
            1
        );
    }
);

app_test!(
    polling_backs_off_while_mux_fails,
    |app: TestApp| async move {
        drop_all_webhooks(&app); // a late webhook would make the row look fresh mid-test
        let (id, _) = app.create_upload("user_rec", "x.mp4").await;
        app.add_fault(
            json!({"method": "GET", "path": "/video/v1/uploads/*", "kind": "error", "status": 503}),
        )
        .await;
        let start = now_ms();
        let mut polled_at = Vec::new();
        for second in 0..=40 {
            let now = start + second * 1_000;
            if app
                .app
                .reconciler(eager())
                .run_once("a", now)
                .await
                .unwrap()
                .polled
                == 1
            {
                polled_at.push(second);
            }
        }
        // Failures 1, 2, 3, 4, 5…: next poll after 2, 4, 8, 16, then 30 s (capped).
        assert_eq!(polled_at, [0, 2, 6, 14, 30], "polls at {polled_at:?}");
        let row = app.store.asset(id.parse().unwrap()).await.unwrap().unwrap();
        assert_eq!(row.poll_failures, 5);
        app.emulator.clear_faults();
        // The breaker opened during the failures: wait until it would admit a call again.
        breaker_window_over(&app).await;
        assert_eq!(
            app.app
                .reconciler(eager())
                .run_once("a", start + 60_000)
                .await
                .unwrap()
                .failed,
            0
        );
        let row = app.store.asset(id.parse().unwrap()).await.unwrap().unwrap();
        assert_eq!(row.poll_failures, 0, "a good poll resets the backoff");
    }
);
