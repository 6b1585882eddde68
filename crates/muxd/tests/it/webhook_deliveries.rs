//! Webhook deliveries over real HTTP on both backends: duplicates (sequential and concurrent)
//! acknowledged and applied once, every order of one upload's events ending in the same row, and
//! events that arrive before their row applying once it appears.

use muxd_domain::AssetId;
use muxd_domain::ExternalUserId;
use muxd_store::{NewAsset, Outcome, Role};
use serde_json::json;

use crate::webhooks::{envelope, header};
use muxd_testkit::app::now_secs;
use muxd_testkit::app::{TestApp, SIGNING_SECRET};
use muxd_testkit::app_test;
use muxd_testkit::databases::count;

/// The four events of one upload's ready path, for row `row`, upload `up`, asset `asset`.
fn ready_sequence(row: &str, up: &str, asset: &str) -> Vec<Vec<u8>> {
    let settings = json!({"passthrough": row, "playback_policies": ["public"]});
    vec![
        envelope(
            &format!("{up}-1"),
            "video.upload.created",
            1,
            json!({"id": up, "status": "waiting", "new_asset_settings": settings}),
        ),
        envelope(
            &format!("{up}-2"),
            "video.upload.asset_created",
            2,
            json!({"id": up, "status": "asset_created", "asset_id": asset, "new_asset_settings": settings}),
        ),
        envelope(
            &format!("{up}-3"),
            "video.asset.created",
            3,
            json!({"id": asset, "upload_id": up, "status": "preparing", "passthrough": row}),
        ),
        envelope(
            &format!("{up}-4"),
            "video.asset.ready",
            4,
            json!({"id": asset, "upload_id": up, "status": "ready", "passthrough": row,
            "duration": 10.0, "aspect_ratio": "16:9", "resolution_tier": "720p", "playback_ids": [{"id": "pb-same", "policy": "public"}]}),
        ),
    ]
}

/// A row with a (fake) upload id, made directly in the store so the emulator sends nothing.
async fn row(app: &TestApp, upload_id: &str) -> AssetId {
    let user = app
        .store
        .upsert_user(&ExternalUserId::parse("user_webhooks").unwrap(), Role::User)
        .await
        .unwrap();
    let id = AssetId::new();
    app.store
        .insert_asset(&NewAsset {
            id,
            owner_id: user.id,
            campaign_id: None,
            influencer_id: None,
            name: "x".into(),
            description: None,
            file_size: None,
            encoding: None,
        })
        .await
        .unwrap();
    app.store
        .set_upload(id, upload_id, "https://upload.example")
        .await
        .unwrap();
    id
}

app_test!(
    duplicates_are_acknowledged_and_applied_once,
    |app: TestApp| async move {
        let id = row(&app, "up-dup").await;
        let events = ready_sequence(&id.to_string(), "up-dup", "as-dup");
        for body in &events {
            assert_eq!(app.post_signed(body).await.as_u16(), 200);
        }
        let before = app.store.asset_events(id).await.unwrap().len();
        // The same four again, sequentially and then 8 copies of the last one at once.
        for body in &events {
            assert_eq!(app.post_signed(body).await.as_u16(), 200);
        }
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (http, url, body) = (
                app.http.clone(),
                format!("{}/api/webhooks/mux", app.base),
                events[3].clone(),
            );
            let t = now_secs();
            let sig = header(SIGNING_SECRET, t, &body);
            tasks.push(tokio::spawn(async move {
                http.post(url)
                    .header("mux-signature", sig)
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().as_u16(), 200);
        }
        assert_eq!(
            app.store.asset_events(id).await.unwrap().len(),
            before,
            "a duplicate made a transition"
        );
        assert_eq!(app.stored_events().await, 4);
        let last = app.store.webhook_event("up-dup-4").await.unwrap().unwrap();
        assert_eq!(last.deliveries, 10);
    }
);

app_test!(
    every_order_of_the_sequence_ends_in_the_same_row,
    |app: TestApp| async move {
        let mut finals = Vec::new();
        for (n, order) in permutations(4).into_iter().enumerate() {
            let (up, asset) = (format!("up-o{n}"), format!("as-o{n}"));
            let id = row(&app, &up).await;
            let events = ready_sequence(&id.to_string(), &up, &asset);
            for &i in &order {
                assert_eq!(app.post_signed(&events[i]).await.as_u16(), 200);
            }
            let row = app.store.asset(id).await.unwrap().unwrap();
            assert_eq!(
                row.facts.mux_asset_id.as_deref(),
                Some(asset.as_str()),
                "order {order:?}"
            );
            let transitions = app.store.asset_events(id).await.unwrap();
            assert!(
                transitions.len() <= 4,
                "more transitions than events in order {order:?}"
            );
            assert!(
                transitions
                    .iter()
                    .all(|t| t.to_status.rank() >= t.from_status.rank()),
                "moved backwards in {order:?}"
            );
            finals.push((
                row.facts.status,
                row.facts.ready.clone(),
                row.url.is_some(),
                row.facts.ready_at_ms,
            ));
        }
        assert!(
            finals.windows(2).all(|w| w[0] == w[1]),
            "orders disagree: {finals:?}"
        );
        assert_eq!(finals[0].0, muxd_domain::AssetStatus::Ready);
    }
);

app_test!(
    conflicting_outcomes_are_decided_by_muxs_timestamps_not_arrival,
    |app: TestApp| async move {
        use muxd_domain::AssetStatus::{Error, Ready};
        // (second Mux stamped `errored` at, errored delivered first, the status that must win);
        // `ready` is stamped at second 4.
        let cases = [
            (5, true, Error),
            (5, false, Error),
            (3, true, Ready),
            (3, false, Ready),
        ];
        for (n, (errored_at, errored_first, expected)) in cases.into_iter().enumerate() {
            let (up, asset) = (format!("up-c{n}"), format!("as-c{n}"));
            let id = row(&app, &up).await;
            let mut events = ready_sequence(&id.to_string(), &up, &asset);
            let errored = envelope(
                &format!("{up}-5"),
                "video.asset.errored",
                errored_at,
                json!({"id": asset, "upload_id": up, "status": "errored", "passthrough": id.to_string(),
                "errors": {"type": "invalid_input", "messages": ["broken"]}}),
            );
            if errored_first {
                events.insert(0, errored);
            } else {
                events.push(errored);
            }
            for body in &events {
                assert_eq!(app.post_signed(body).await.as_u16(), 200);
            }
            let row = app.store.asset(id).await.unwrap().unwrap();
            assert_eq!(row.facts.status, expected, "case {n}");
            let trail = app.store.asset_events(id).await.unwrap();
            assert_eq!(
                trail.last().unwrap().to_status,
                expected,
                "case {n}: {trail:?}"
            );
        }
        assert_eq!(
            events_keeping_keys(&app).await,
            0,
            "applied events keep no keys"
        );
    }
);

app_test!(
    unmatched_events_apply_when_their_row_appears,
    |app: TestApp| async move {
        // Events about an upload muxd has not recorded yet (no passthrough: another instance, or a
        // race with the create call).
        let early = envelope(
            "evt-early",
            "video.upload.asset_created",
            1,
            json!({"id": "up-late", "asset_id": "as-late", "status": "asset_created"}),
        );
        assert_eq!(app.post_signed(&early).await.as_u16(), 200);
        assert_eq!(
            app.store
                .webhook_event("evt-early")
                .await
                .unwrap()
                .unwrap()
                .outcome,
            Outcome::Unmatched
        );
        assert_eq!(
            events_keeping_keys(&app).await,
            1,
            "unmatched, it keeps its keys"
        );
        let id = row(&app, "up-late").await;
        app.app.ingest.settle(id).await.unwrap();
        let row = app.store.asset(id).await.unwrap().unwrap();
        assert_eq!(row.facts.mux_asset_id.as_deref(), Some("as-late"));
        assert_eq!(row.facts.status, muxd_domain::AssetStatus::MuxProcessing);
        let stored = app.store.webhook_event("evt-early").await.unwrap().unwrap();
        assert_eq!(
            (stored.outcome, stored.asset_id),
            (Outcome::Applied, Some(id))
        );
        assert_eq!(events_keeping_keys(&app).await, 0, "applied, it keeps none");
    }
);

/// How many stored events keep match keys (only an unmatched one should).
async fn events_keeping_keys(app: &TestApp) -> i64 {
    count(
        &app.store,
        "SELECT COUNT(*) FROM webhook_events WHERE match_passthrough IS NOT NULL
            OR match_upload_id IS NOT NULL OR match_asset_id IS NOT NULL",
    )
    .await
}

/// Every ordering of `0..n`.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut all = Vec::new();
    for rest in permutations(n - 1) {
        for at in 0..=rest.len() {
            let mut order = rest.clone();
            order.insert(at, n - 1);
            all.push(order);
        }
    }
    all
}
