//! Retention in the store on both backends: each table that grows with traffic loses what is
//! older than its cut-off, one bounded batch per call, and keeps what the host app may still
//! need: history the outbox has not taken, and messages with a delivery still pending.

use muxd_domain::LifecycleEvent;
use muxd_store::retention::Prunable;
use muxd_store::Store;

use crate::store::{seeded, webhook_cause, STREAM};
use muxd_testkit::databases::{count, exec, store_test};

store_test!(
    history_is_pruned_in_batches_but_not_what_the_outbox_has_not_taken,
    super::history_is_pruned_in_batches_but_not_what_the_outbox_has_not_taken
);
async fn history_is_pruned_in_batches_but_not_what_the_outbox_has_not_taken(store: Store) {
    let id = seeded(&store, "up-retention").await;
    let created = LifecycleEvent::AssetCreated {
        asset_id: "as-retention".into(),
    };
    store
        .apply(id, &created, 1, &webhook_cause(1), STREAM)
        .await
        .unwrap();
    exec(&store, "UPDATE asset_events SET at = 10, outbound = NULL").await;
    let before = count(&store, "SELECT COUNT(*) FROM asset_events").await;
    assert!(before >= 2, "the row's creation and its change: {before}");
    // The newest record still waits for the outbox.
    exec(
        &store,
        "UPDATE asset_events SET outbound = 'asset.processing'
         WHERE id = (SELECT MAX(id) FROM asset_events)",
    )
    .await;

    assert_eq!(
        store.prune(Prunable::AssetHistory, 5, 500).await.unwrap(),
        0,
        "none older"
    );
    assert_eq!(
        store.prune(Prunable::AssetHistory, 1000, 1).await.unwrap(),
        1,
        "one batch"
    );
    let rest = store
        .prune(Prunable::AssetHistory, 1000, 500)
        .await
        .unwrap();
    assert_eq!(rest as i64, before - 2);
    let left = count(
        &store,
        "SELECT COUNT(*) FROM asset_events WHERE outbound IS NOT NULL",
    )
    .await;
    assert_eq!(
        (
            count(&store, "SELECT COUNT(*) FROM asset_events").await,
            left
        ),
        (1, 1),
        "only the record the outbox has not taken is kept"
    );
}

store_test!(
    finished_messages_go_with_their_deliveries_and_attempts_pending_ones_stay,
    super::finished_messages_go_with_their_deliveries_and_attempts_pending_ones_stay
);
async fn finished_messages_go_with_their_deliveries_and_attempts_pending_ones_stay(store: Store) {
    exec(
        &store,
        "INSERT INTO webhook_endpoints (id, url, secret, event_types, disabled, created_at, updated_at)
         VALUES ('ep-1', 'https://app.example/hook', 'whsec_x', '[]', FALSE, 1, 1)",
    )
    .await;
    for (message, event, status) in [("m-done", 1, "delivered"), ("m-waiting", 2, "pending")] {
        exec(
            &store,
            &format!(
                "INSERT INTO outbound_messages (id, asset_event_id, asset_id, event_type, payload, created_at)
                 VALUES ('{message}', {event}, 'a', 'asset.ready', '{{}}', 10)"
            ),
        )
        .await;
        exec(
            &store,
            &format!(
                "INSERT INTO outbound_deliveries (message_id, endpoint_id, status, attempts, created_at)
                 VALUES ('{message}', 'ep-1', '{status}', 1, 10)"
            ),
        )
        .await;
        exec(
            &store,
            &format!(
                "INSERT INTO outbound_attempts (delivery_id, at, status_code, duration_ms)
                 SELECT id, 10, 200, 5 FROM outbound_deliveries WHERE message_id = '{message}'"
            ),
        )
        .await;
    }

    assert_eq!(
        store
            .prune(Prunable::OutboundMessages, 5, 500)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .prune(Prunable::OutboundMessages, 1000, 500)
            .await
            .unwrap(),
        1
    );
    let left = |table: &'static str| {
        let store = store.clone();
        async move { count(&store, &format!("SELECT COUNT(*) FROM {table}")).await }
    };
    assert_eq!(
        (
            left("outbound_messages").await,
            left("outbound_deliveries").await,
            left("outbound_attempts").await
        ),
        (1, 1, 1),
        "the finished message went with its delivery and attempt; the pending one stayed"
    );
    let kept = count(
        &store,
        "SELECT COUNT(*) FROM outbound_messages WHERE id = 'm-waiting'",
    )
    .await;
    assert_eq!(kept, 1);
}
