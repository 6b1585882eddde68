//! The webhook log in the store on both backends: one row per event id however often (or however
//! concurrently) Mux delivers it, unmatched events found by their keys, filters, and purging.

use muxd_domain::MatchKeys;
use muxd_store::retention::Prunable;
use muxd_store::webhooks::{self, WebhookFilter};
use muxd_store::{NewWebhookEvent, Outcome, Store};

use muxd_testkit::databases::{exec, explain_plan, store_test};

store_test!(
    webhook_events_dedupe_on_event_id,
    super::webhook_events_dedupe_on_event_id
);
async fn webhook_events_dedupe_on_event_id(store: Store) {
    let keys = MatchKeys {
        upload_id: Some("up-9".into()),
        ..Default::default()
    };
    let event = NewWebhookEvent {
        event_id: "evt-a",
        event_type: "video.upload.asset_created",
        object_type: Some("upload"),
        object_id: Some("up-9"),
        mux_created_at: Some(1),
        received_at: 100,
        keys: &keys,
        payload: r#"{"id":"evt-a"}"#,
    };
    let mut tx = store.begin().await.unwrap();
    let id = webhooks::insert(&mut tx.conn(), &event, Outcome::Unmatched, None)
        .await
        .unwrap()
        .expect("first delivery stored");
    assert_eq!(
        webhooks::insert(&mut tx.conn(), &event, Outcome::Unmatched, None)
            .await
            .unwrap(),
        None,
        "duplicate stored twice"
    );
    let pending = webhooks::unmatched_for(&mut tx.conn(), &keys)
        .await
        .unwrap();
    assert_eq!(pending.iter().map(|e| e.id).collect::<Vec<_>>(), [id]);
    webhooks::set_outcome(&mut tx.conn(), id, Outcome::Applied, None, None, &keys)
        .await
        .unwrap();
    assert!(webhooks::unmatched_for(&mut tx.conn(), &keys)
        .await
        .unwrap()
        .is_empty());
    // Applied, it kept no keys; left unmatched again (a replay), it is found by them again.
    webhooks::set_outcome(&mut tx.conn(), id, Outcome::Unmatched, None, None, &keys)
        .await
        .unwrap();
    let pending = webhooks::unmatched_for(&mut tx.conn(), &keys)
        .await
        .unwrap();
    assert_eq!(pending.iter().map(|e| e.id).collect::<Vec<_>>(), [id]);
    webhooks::set_outcome(&mut tx.conn(), id, Outcome::Applied, None, None, &keys)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let stored = store.webhook_event("evt-a").await.unwrap().unwrap();
    assert_eq!((stored.outcome, stored.deliveries), (Outcome::Applied, 2));
    let applied = store
        .webhook_events(&WebhookFilter {
            outcome: Some(Outcome::Applied),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(applied.len(), 1);
    let none = store
        .webhook_events(&WebhookFilter {
            outcome: Some(Outcome::Failed),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(none.is_empty());
    assert_eq!(
        store
            .prune(Prunable::WebhookEvents, 101, 500)
            .await
            .unwrap(),
        1
    );
    assert!(store.webhook_event("evt-a").await.unwrap().is_none());
}

store_test!(
    concurrent_duplicate_webhooks_store_one_row,
    super::concurrent_duplicate_webhooks_store_one_row
);
async fn concurrent_duplicate_webhooks_store_one_row(store: Store) {
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let keys = MatchKeys::default();
            let event = NewWebhookEvent {
                event_id: "evt-same",
                event_type: "video.asset.ready",
                object_type: None,
                object_id: None,
                mux_created_at: None,
                received_at: 1,
                keys: &keys,
                payload: "{}",
            };
            let mut tx = store.begin().await.unwrap();
            let stored = webhooks::insert(&mut tx.conn(), &event, Outcome::Unmatched, None)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            stored.is_some()
        }));
    }
    let mut firsts = 0;
    for task in tasks {
        firsts += usize::from(task.await.unwrap());
    }
    assert_eq!(firsts, 1);
    assert_eq!(
        store
            .webhook_event("evt-same")
            .await
            .unwrap()
            .unwrap()
            .deliveries,
        8
    );
}

store_test!(
    the_look_for_waiting_events_uses_the_unmatched_indexes,
    super::the_look_for_waiting_events_uses_the_unmatched_indexes
);
async fn the_look_for_waiting_events_uses_the_unmatched_indexes(store: Store) {
    // Many applied events and a few unmatched ones, then fresh statistics.
    let mut values = Vec::new();
    for n in 0..3000 {
        let outcome = if n % 100 == 0 { "unmatched" } else { "applied" };
        values.push(format!(
            "('evt-plan-{n}', 'video.asset.ready', {n}, '{outcome}', 'row-{n}', 'up-{n}', 'as-{n}', '{{}}')"
        ));
    }
    exec(
        &store,
        &format!(
            "INSERT INTO webhook_events (event_id, event_type, received_at, outcome,
                match_passthrough, match_upload_id, match_asset_id, payload) VALUES {}",
            values.join(", ")
        ),
    )
    .await;
    exec(&store, "ANALYZE").await;
    let explain = match store.backend() {
        muxd_core::config::Backend::Postgres => "EXPLAIN",
        muxd_core::config::Backend::Sqlite => "EXPLAIN QUERY PLAN",
    };
    // Literals stand in for the parameters.
    let query = webhooks::ANY_UNMATCHED
        .replace("$1", "'row-7'")
        .replace("$2", "'up-7'")
        .replace("$3", "'as-7'");
    eprintln!("{explain} {query}");
    let plan = explain_plan(&store, &format!("{explain} {query}")).await;
    eprintln!("{plan}");
    assert!(plan.contains("idx_webhook_events_unmatched"), "{plan}");
    assert!(
        !plan.contains("Seq Scan") && !plan.contains("SCAN webhook_events"),
        "a scan:\n{plan}"
    );
}
