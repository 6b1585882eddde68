//! The outbox's fan-out on both backends: one batch of marked changes across two rows becomes one
//! message per change and one delivery per endpoint that wants it, with the body the caller
//! renders from the row as it is now; every mark of the batch is cleared, and with no endpoint
//! enabled by then (changes are marked only while one is) the marks are cleared and nothing is
//! written.

use muxd_domain::LifecycleEvent;
use muxd_store::Store;
use muxd_testkit::databases::{count, store_test};

use crate::store::{ready, seeded, webhook_cause, STREAM};

const MARKED: &str = "SELECT COUNT(*) FROM asset_events WHERE outbound IS NOT NULL";

/// Two rows with changes marked for the host app: one created and READY, one created.
async fn two_rows_with_changes(store: &Store) -> (i64, i64) {
    let first = seeded(store, "up-out-1").await;
    let second = seeded(store, "up-out-2").await;
    let created = |id: &str| LifecycleEvent::AssetCreated {
        asset_id: id.into(),
    };
    let events = [
        (first, created("as-out-1")),
        (second, created("as-out-2")),
        (first, ready("as-out-1")),
    ];
    for (n, (row, event)) in events.into_iter().enumerate() {
        let cause = webhook_cause(n as u32);
        store
            .apply(row, &event, 1_000 + n as i64, &cause, STREAM)
            .await
            .unwrap();
    }
    let marked = count(store, MARKED).await;
    let ready = count(
        store,
        "SELECT COUNT(*) FROM asset_events WHERE outbound = 'asset.ready'",
    )
    .await;
    assert!(marked >= 3 && ready == 1, "marked {marked}, ready {ready}");
    (marked, ready)
}

store_test!(
    a_batch_fans_out_to_the_endpoints_that_want_each_change,
    super::a_batch_fans_out_to_the_endpoints_that_want_each_change
);
async fn a_batch_fans_out_to_the_endpoints_that_want_each_change(store: Store) {
    let all = store
        .insert_endpoint("https://a.example/hook", "whsec_a", &[], None)
        .await
        .unwrap();
    let only_ready = ["asset.ready".to_owned()];
    let some = store
        .insert_endpoint("https://b.example/hook", "whsec_b", &only_ready, None)
        .await
        .unwrap();
    let (marked, ready) = two_rows_with_changes(&store).await;
    let render = |c: &muxd_store::outbox::PendingChange| {
        format!(
            "{} {} {}",
            c.event_type,
            c.asset.id,
            c.asset.facts.status.as_str()
        )
    };
    let taken = store.fan_out(500, render).await.unwrap();
    assert_eq!(taken as i64, marked);
    assert_eq!(count(&store, MARKED).await, 0, "every mark cleared");
    let messages = count(&store, "SELECT COUNT(*) FROM outbound_messages").await;
    assert_eq!(messages, marked, "one message per change");
    let to = |id: &str| {
        format!("SELECT COUNT(*) FROM outbound_deliveries WHERE endpoint_id = '{id}' AND status = 'pending'")
    };
    assert_eq!(count(&store, &to(&all.id)).await, marked);
    assert_eq!(count(&store, &to(&some.id)).await, ready);
    // The body is rendered from the row as it is now (READY), for each change.
    let ready_bodies = count(
        &store,
        "SELECT COUNT(*) FROM outbound_messages WHERE payload LIKE 'asset.ready % READY'",
    )
    .await;
    assert_eq!(ready_bodies, 1);
    assert_eq!(store.fan_out(500, render).await.unwrap(), 0, "nothing left");
}

store_test!(
    with_no_endpoint_the_marks_are_cleared_and_nothing_is_written,
    super::with_no_endpoint_the_marks_are_cleared_and_nothing_is_written
);
async fn with_no_endpoint_the_marks_are_cleared_and_nothing_is_written(store: Store) {
    let gone = store
        .insert_endpoint("https://a.example/hook", "whsec_a", &[], None)
        .await
        .unwrap();
    let (marked, _) = two_rows_with_changes(&store).await;
    assert!(store.delete_endpoint(&gone.id).await.unwrap());
    let taken = store.fan_out(2, |_| String::new()).await.unwrap();
    assert_eq!(taken, 2, "at most the batch's limit");
    assert_eq!(count(&store, MARKED).await, marked - 2);
    let taken = store.fan_out(500, |_| String::new()).await.unwrap();
    assert_eq!(taken as i64, marked - 2);
    assert_eq!(count(&store, MARKED).await, 0);
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM outbound_messages").await,
        0
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM outbound_deliveries").await,
        0
    );
}
