//! The live bridge between instances on PostgreSQL sends nothing while no other instance listens,
//! and starts as soon as one does; a change it skipped meanwhile makes it tell the newcomer's
//! pages to reload. Watched by a plain `LISTEN` of the test's own, which is not an instance: it
//! sees every notification, in the order they were sent. Absence is proved by that order, not by
//! waiting: the bridge forwards one change after another, so a skipped change that had been sent
//! would arrive before the next one.

use std::time::Duration;

use muxd_core::service::live::{AssetChanged, LiveHub};
use muxd_core::service::live_bridge::{Bridge, CHANNEL};
use muxd_domain::{AssetId, AssetStatus, UserId};
use muxd_store::{Db, Store};
use muxd_testkit::databases::{eventually, run_postgres};
use sqlx::postgres::PgListener;

fn change() -> AssetChanged {
    AssetChanged {
        asset_id: AssetId::new(),
        owner_id: UserId::new(),
        status: AssetStatus::Ready,
    }
}

/// An instance named `name`: its hub and its bridge, with the bridge's two halves running.
fn instance(store: &Store, name: &str) -> (LiveHub, Bridge) {
    let hub = LiveHub::default();
    let bridge = Bridge::attach(&hub, store, name).expect("PostgreSQL has a bridge");
    let (forward, listen) = (bridge.clone(), bridge.clone());
    tokio::spawn(async move { forward.forward().await });
    tokio::spawn(async move { listen.listen().await });
    (hub, bridge)
}

/// Reads notifications until one satisfies `wanted`; returns every payload read, that one last.
async fn until(watch: &mut PgListener, wanted: impl Fn(&str) -> bool) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let next = tokio::time::timeout(Duration::from_secs(20), watch.recv()).await;
        let payload = next
            .unwrap_or_else(|_| panic!("no such notification within 20 s; saw {seen:?}"))
            .unwrap()
            .payload()
            .to_owned();
        let done = wanted(&payload);
        seen.push(payload);
        if done {
            return seen;
        }
    }
}

#[tokio::test]
async fn an_instance_alone_sends_nothing_and_a_newcomer_is_heard_at_once() {
    run_postgres(|store| async move {
        let Db::Postgres(pool) = store.db() else {
            unreachable!()
        };
        let mut watch = PgListener::connect_with(pool).await.unwrap();
        watch.listen(CHANNEL).await.unwrap();

        let (a, a_bridge) = instance(&store, "muxd-a");
        until(&mut watch, |p| p == "muxd-a\nhello").await;
        // Nobody else listens (the test's own LISTEN is not an instance): skipped.
        let alone = change();
        a.publish(alone.clone());
        eventually("A left its change unsent", async || a_bridge.left_unsent()).await;

        // B connects and says so; A, having skipped a change, tells B's pages to reload.
        let (b, _b_bridge) = instance(&store, "muxd-b");
        let mut on_b = b.subscribe();
        let mut resyncs = b.resyncs();
        let seen = until(&mut watch, |p| p == "muxd-a\nresync").await;
        tokio::time::timeout(Duration::from_secs(20), resyncs.changed())
            .await
            .expect("B's pages were told to reload")
            .unwrap();
        assert!(!a_bridge.left_unsent(), "the newcomer was told");

        // From now on A's changes reach B.
        let heard = change();
        a.publish(heard.clone());
        let line = format!("{} {} READY", heard.asset_id, heard.owner_id);
        let later = until(&mut watch, |p| {
            p.starts_with("muxd-a\n") && p.contains(&line)
        })
        .await;
        let never = alone.asset_id.to_string();
        assert!(
            seen.iter().chain(&later).all(|p| !p.contains(&never)),
            "the change made while A was alone was sent: {seen:?} {later:?}"
        );
        let on_b = tokio::time::timeout(Duration::from_secs(20), on_b.recv()).await;
        assert_eq!(on_b.expect("B's pages hear A's change").unwrap(), heard);
    })
    .await;
}
