//! The outbox's fan-out on both backends: one batch of marked changes across two rows becomes one
//! message per change and one delivery per endpoint that wants it, with the body the caller
//! renders from the row as it is now; every mark of the batch is cleared, and with no endpoint
//! enabled by then (changes are marked only while one is) the marks are cleared and nothing is
//! written. Deliveries are then leased once (never to a resting endpoint), and each attempt
//! ends its lease and decides what follows: delivered, due again at its time, or given up. The
//! look for marks that precedes every fan-out reads the marks' index, even when statistics say
//! marks are common.

use muxd_domain::LifecycleEvent;
use muxd_store::endpoints::Endpoint;
use muxd_store::fan_out;
use muxd_store::outbox::{AttemptRecord, ClaimedDelivery, NextStep};
use muxd_store::Store;
use muxd_testkit::databases::{count, exec, explain_plan, store_test};

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

/// An endpoint that wants every change, at `https://a.example/hook` with secret `whsec_a`.
async fn hook_a(store: &Store) -> Endpoint {
    store
        .insert_endpoint("https://a.example/hook", "whsec_a", &[], None)
        .await
        .unwrap()
}

store_test!(
    a_batch_fans_out_to_the_endpoints_that_want_each_change,
    super::a_batch_fans_out_to_the_endpoints_that_want_each_change
);
async fn a_batch_fans_out_to_the_endpoints_that_want_each_change(store: Store) {
    let all = hook_a(&store).await;
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
    let gone = hook_a(&store).await;
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

store_test!(
    deliveries_are_leased_once_and_their_attempts_decide_what_follows,
    super::deliveries_are_leased_once_and_their_attempts_decide_what_follows
);
async fn deliveries_are_leased_once_and_their_attempts_decide_what_follows(store: Store) {
    let endpoint = hook_a(&store).await;
    let (marked, _) = two_rows_with_changes(&store).await;
    store.fan_out(500, |c| c.event_type.clone()).await.unwrap();
    let now = muxd_store::now_ms();
    let claim = |token: &'static str, at: i64, limit: i64, resting: Vec<String>| {
        let store = store.clone();
        async move {
            store
                .claim_deliveries(token, at, at + 60_000, limit, &resting)
                .await
                .unwrap()
        }
    };
    let resting = vec![endpoint.id.clone()];
    assert!(
        claim("t0", now, 10, resting).await.is_empty(),
        "a resting endpoint's wait"
    );

    let first = claim("t1", now, 2, vec![]).await;
    assert_eq!(first.len(), 2, "at most the limit");
    let rest = claim("t2", now, 10, vec![]).await;
    assert_eq!(
        rest.len() as i64,
        marked - 2,
        "the others, not the leased two"
    );
    assert!(claim("t3", now, 10, vec![]).await.is_empty(), "all leased");
    let leased = |token: &str| {
        format!("SELECT COUNT(*) FROM outbound_deliveries WHERE lease_token = '{token}'")
    };
    assert_eq!(count(&store, &leased("t1")).await, 2);
    let claimed = &first[0];
    assert_eq!(claimed.attempts, 0);
    assert_eq!(claimed.endpoint_id, endpoint.id);
    assert_eq!(
        (claimed.url.as_str(), claimed.secret.as_str()),
        ("https://a.example/hook", "whsec_a")
    );
    assert_eq!(claimed.payload, claimed.event_type, "the message's body");
    assert!(
        first[0].id < first[1].id,
        "in the order the changes were made"
    );

    let attempt = |delivery: &ClaimedDelivery, status: Option<u16>, next: NextStep| AttemptRecord {
        delivery_id: delivery.id,
        at: now + 5,
        status_code: status,
        error: status.is_none().then(|| "refused".to_owned()),
        duration_ms: 3,
        next,
    };
    store
        .record_attempt(&attempt(&first[0], Some(204), NextStep::Delivered))
        .await
        .unwrap();
    let retry_at = now + 30_000;
    store
        .record_attempt(&attempt(&first[1], None, NextStep::RetryAt(retry_at)))
        .await
        .unwrap();
    store
        .record_attempt(&attempt(&rest[0], Some(500), NextStep::GiveUp))
        .await
        .unwrap();
    let row = |id: i64| {
        format!("SELECT COUNT(*) FROM outbound_deliveries WHERE id = {id} AND attempts = 1 AND lease_token IS NULL AND lease_until IS NULL AND ")
    };
    let delivered = format!(
        "{}status = 'delivered' AND delivered_at = {} AND last_status = 204",
        row(first[0].id),
        now + 5
    );
    let pending = format!("{}status = 'pending' AND next_attempt_at = {retry_at} AND last_error = 'refused' AND last_status IS NULL", row(first[1].id));
    let failed = format!("{}status = 'failed' AND last_status = 500", row(rest[0].id));
    for (what, sql) in [
        ("delivered", delivered),
        ("retry", pending),
        ("given up", failed),
    ] {
        assert_eq!(count(&store, &sql).await, 1, "{what}");
    }
    let attempts = "SELECT COUNT(*) FROM outbound_attempts WHERE duration_ms = 3 AND at = ";
    assert_eq!(
        count(&store, &format!("{attempts}{}", now + 5)).await,
        3,
        "every attempt logged"
    );

    // The retry is due at its time, not before; the others are done or still leased.
    assert!(claim("t4", retry_at - 1, 10, vec![]).await.is_empty());
    let again = claim("t5", retry_at, 10, vec![]).await;
    assert_eq!(
        again.iter().map(|d| (d.id, d.attempts)).collect::<Vec<_>>(),
        [(first[1].id, 1)]
    );
}

store_test!(
    the_look_for_marks_reads_the_marks_index_whatever_the_statistics_say,
    super::the_look_for_marks_reads_the_marks_index_whatever_the_statistics_say
);
async fn the_look_for_marks_reads_the_marks_index_whatever_the_statistics_say(store: Store) {
    // A history of 3,000 changes, half of them marked when statistics are taken, then every
    // mark cleared by a fan-out: the statistics still say marks are common.
    let row = seeded(&store, "up-plan").await;
    exec(
        &store,
        &format!(
            "INSERT INTO asset_events (asset_id, from_status, to_status, cause, cause_ref, at, outbound)
             SELECT '{row}', 'waiting', 'preparing', 'webhook', 'evt', n,
                 CASE WHEN n % 2 = 0 THEN 'asset.created' END
             FROM (WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 3000)
                   SELECT n FROM c) AS numbers"
        ),
    )
    .await;
    exec(&store, "ANALYZE").await;
    exec(&store, "UPDATE asset_events SET outbound = NULL").await;
    let explain = match store.backend() {
        muxd_store::Backend::Postgres => "EXPLAIN",
        muxd_store::Backend::Sqlite => "EXPLAIN QUERY PLAN",
    };
    let plan = explain_plan(&store, &format!("{explain} {}", fan_out::ANY_MARKED)).await;
    assert!(plan.contains("idx_asset_events_outbound"), "{plan}");
    assert!(!plan.contains("Seq Scan"), "a scan of the history:\n{plan}");
    assert_eq!(store.fan_out(500, |_| String::new()).await.unwrap(), 0);
}
