//! The store suite, run on SQLite and on PostgreSQL: users, asset rows, matching, lifecycle
//! application with concurrent writers, webhook dedupe, and index use.

use muxd::domain::event::ErrorSource;
use muxd::domain::{
    AssetId, AssetStatus, Cause, ErrorInfo, LifecycleEvent, MatchKeys, ReadyDetails,
};
use muxd::store::assets::AssetFilter;
use muxd::store::webhooks::{self, WebhookFilter};
use muxd::store::{Db, NewAsset, NewWebhookEvent, Outcome, Role, Store};

use crate::harness::{exec, explain_plan, store_test};

const STREAM: &str = "https://stream.example";

fn webhook_cause(n: u32) -> Cause {
    Cause::Webhook {
        event_id: format!("evt-{n}"),
        event_type: "test".into(),
    }
}

fn ready(asset: &str) -> LifecycleEvent {
    LifecycleEvent::AssetReady {
        asset_id: asset.into(),
        details: ReadyDetails {
            playback_id: Some("pb-1".into()),
            playback_policy: Some("public".into()),
            duration_s: Some(2.5),
            aspect_ratio: Some("16:9".into()),
            resolution_tier: Some("720p".into()),
        },
    }
}

/// A user, a campaign with one influencer, and one asset with an upload id.
async fn seeded(store: &Store, upload_id: &str) -> AssetId {
    let user = store.upsert_user("user_ext_1", Role::User).await.unwrap();
    let campaign = store
        .create_campaign(user.id, "Spring launch")
        .await
        .unwrap();
    let influencer = store
        .add_influencer(campaign.id, "Ada", Some("@ada"))
        .await
        .unwrap();
    let id = AssetId::new();
    store
        .insert_asset(&NewAsset {
            id,
            owner_id: user.id,
            campaign_id: Some(campaign.id),
            influencer_id: Some(influencer.id),
            name: "clip.mp4".into(),
            description: None,
        })
        .await
        .unwrap();
    store
        .set_upload(id, upload_id, "https://upload.example/u")
        .await
        .unwrap();
    id
}

store_test!(migrations_are_idempotent, super::migrations_are_idempotent);
async fn migrations_are_idempotent(store: Store) {
    assert_eq!(store.migrate().await.unwrap(), 3);
    store.ping().await.unwrap();
}

/// Both dialects' migrations define the same tables and columns, so one set of queries serves
/// both. (Types are each dialect's own: BOOLEAN on PostgreSQL is a 0/1 INTEGER on SQLite.)
#[tokio::test]
async fn both_dialects_define_the_same_columns() {
    let (sqlite, _dir) = crate::harness::sqlite_store().await;
    let Some(db) = crate::harness::PgDatabase::create().await else {
        return;
    };
    let postgres = Store::connect(&db.url).await.unwrap();
    postgres.migrate().await.unwrap();
    let columns = |store: Store| async move {
        let mut found = Vec::new();
        for table in [
            "users",
            "campaigns",
            "influencers",
            "creative_assets",
            "asset_events",
            "webhook_events",
        ] {
            let names: Vec<String> = match store.db() {
                Db::Sqlite(pool) => sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}') ORDER BY name"))
                    .fetch_all(pool)
                    .await
                    .unwrap(),
                Db::Postgres(pool) => sqlx::query_scalar(
                    "SELECT column_name::text FROM information_schema.columns WHERE table_name = $1 ORDER BY column_name",
                )
                .bind(table)
                .fetch_all(pool)
                .await
                .unwrap(),
            };
            assert!(!names.is_empty(), "{table} has columns");
            found.extend(names.into_iter().map(|n| format!("{table}.{n}")));
        }
        store.close().await;
        found
    };
    assert_eq!(columns(sqlite).await, columns(postgres).await);
}

store_test!(
    external_ids_map_to_one_internal_user,
    super::external_ids_map_to_one_internal_user
);
async fn external_ids_map_to_one_internal_user(store: Store) {
    let first = store.upsert_user("user_2abc", Role::User).await.unwrap();
    let again = store.upsert_user("user_2abc", Role::Admin).await.unwrap();
    assert_eq!(first.id, again.id);
    assert_eq!(again.role, Role::Admin);
    assert_eq!(store.user(first.id).await.unwrap(), Some(again));
    let other = store.upsert_user("user_other", Role::User).await.unwrap();
    assert_ne!(other.id, first.id);
}

store_test!(
    new_asset_awaits_upload_with_passthrough_self,
    super::new_asset_awaits_upload_with_passthrough_self
);
async fn new_asset_awaits_upload_with_passthrough_self(store: Store) {
    let id = seeded(&store, "up-1").await;
    let asset = store.asset(id).await.unwrap().unwrap();
    assert_eq!(asset.facts.status, AssetStatus::AwaitingUpload);
    assert_eq!(asset.passthrough, id.to_string());
    assert_eq!(asset.mux_upload_id.as_deref(), Some("up-1"));
    assert_eq!(asset.version, 1);
    let influencers = store.influencers(asset.campaign_id.unwrap()).await.unwrap();
    assert_eq!(influencers[0].handle.as_deref(), Some("@ada"));
}

store_test!(
    events_find_their_row_by_any_key,
    super::events_find_their_row_by_any_key
);
async fn events_find_their_row_by_any_key(store: Store) {
    let id = seeded(&store, "up-2").await;
    store
        .apply(
            id,
            &LifecycleEvent::AssetCreated {
                asset_id: "as-2".into(),
            },
            1,
            &webhook_cause(1),
            STREAM,
        )
        .await
        .unwrap();
    let mut pooled = store.read().await.unwrap();
    let mut conn = pooled.conn();
    let by = |keys: MatchKeys| keys;
    for keys in [
        by(MatchKeys {
            passthrough: Some(id),
            ..Default::default()
        }),
        by(MatchKeys {
            upload_id: Some("up-2".into()),
            ..Default::default()
        }),
        by(MatchKeys {
            asset_id: Some("as-2".into()),
            ..Default::default()
        }),
        // A stale passthrough falls through to the upload id.
        by(MatchKeys {
            passthrough: Some(AssetId::new()),
            upload_id: Some("up-2".into()),
            asset_id: None,
        }),
    ] {
        let found = muxd::store::assets::find_by_keys(&mut conn, &keys)
            .await
            .unwrap();
        assert_eq!(found.map(|a| a.id), Some(id), "{keys:?}");
    }
    let none = MatchKeys {
        upload_id: Some("nope".into()),
        ..Default::default()
    };
    assert!(muxd::store::assets::find_by_keys(&mut conn, &none)
        .await
        .unwrap()
        .is_none());
}

store_test!(
    lifecycle_changes_are_applied_once_and_recorded,
    super::lifecycle_changes_are_applied_once_and_recorded
);
async fn lifecycle_changes_are_applied_once_and_recorded(store: Store) {
    let id = seeded(&store, "up-3").await;
    let created = LifecycleEvent::AssetCreated {
        asset_id: "as-3".into(),
    };
    let change = store
        .apply(id, &created, 10, &webhook_cause(1), STREAM)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (change.from, change.to),
        (AssetStatus::AwaitingUpload, AssetStatus::MuxProcessing)
    );
    assert!(
        store
            .apply(id, &created, 10, &webhook_cause(1), STREAM)
            .await
            .unwrap()
            .is_none(),
        "duplicate changed the row"
    );
    store
        .apply(id, &ready("as-3"), 20, &webhook_cause(2), STREAM)
        .await
        .unwrap()
        .unwrap();
    // Late asset.created after ready: nothing moves.
    assert!(store
        .apply(id, &created, 5, &webhook_cause(3), STREAM)
        .await
        .unwrap()
        .is_none());

    let asset = store.asset(id).await.unwrap().unwrap();
    assert_eq!(asset.facts.status, AssetStatus::Ready);
    assert_eq!(
        asset.url.as_deref(),
        Some("https://stream.example/pb-1.m3u8")
    );
    assert_eq!(asset.facts.ready.duration_s, Some(2.5));
    assert_eq!(asset.facts.ready_at_ms, Some(20));
    let history = store.asset_events(id).await.unwrap();
    let steps: Vec<_> = history
        .iter()
        .map(|e| (e.from_status, e.to_status, e.cause.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            (
                AssetStatus::AwaitingUpload,
                AssetStatus::MuxProcessing,
                "webhook"
            ),
            (AssetStatus::MuxProcessing, AssetStatus::Ready, "webhook"),
        ]
    );
    assert_eq!(history[1].cause_ref, "test evt-2");
}

store_test!(
    errors_keep_mux_type_and_message,
    super::errors_keep_mux_type_and_message
);
async fn errors_keep_mux_type_and_message(store: Store) {
    let id = seeded(&store, "up-4").await;
    let error = ErrorInfo {
        kind: "invalid_input".into(),
        message: "no moov box".into(),
        source: ErrorSource::Asset,
    };
    let event = LifecycleEvent::AssetErrored {
        asset_id: "as-4".into(),
        error: error.clone(),
    };
    store
        .apply(id, &event, 1, &webhook_cause(1), STREAM)
        .await
        .unwrap()
        .unwrap();
    let asset = store.asset(id).await.unwrap().unwrap();
    assert_eq!(asset.facts.status, AssetStatus::Error);
    assert_eq!(asset.facts.error, Some(error));
    assert_eq!(asset.url, None);
}

store_test!(
    concurrent_writers_lose_nothing,
    super::concurrent_writers_lose_nothing
);
async fn concurrent_writers_lose_nothing(store: Store) {
    let id = seeded(&store, "up-5").await;
    let events = [
        LifecycleEvent::UploadAssetCreated {
            asset_id: "as-5".into(),
        },
        LifecycleEvent::AssetCreated {
            asset_id: "as-5".into(),
        },
        ready("as-5"),
    ];
    // Every event delivered four times, all at once, from separate tasks (separate connections).
    let mut tasks = Vec::new();
    for round in 0..4 {
        for (n, event) in events.iter().enumerate() {
            let (store, event) = (store.clone(), event.clone());
            let at = (n as i64 + 1) * 1_000;
            tasks.push(tokio::spawn(async move {
                store
                    .apply(id, &event, at, &webhook_cause(round), STREAM)
                    .await
                    .unwrap()
            }));
        }
    }
    let mut applied = 0;
    for task in tasks {
        applied += usize::from(task.await.unwrap().is_some());
    }
    let asset = store.asset(id).await.unwrap().unwrap();
    assert_eq!(asset.facts.status, AssetStatus::Ready);
    assert_eq!(asset.facts.mux_asset_id.as_deref(), Some("as-5"));
    assert_eq!(asset.facts.ready.playback_id.as_deref(), Some("pb-1"));
    assert_eq!(asset.facts.ready_at_ms, Some(3_000));
    assert_eq!(asset.facts.last_event_at_ms, Some(3_000));
    let history = store.asset_events(id).await.unwrap();
    assert_eq!(
        history.len(),
        applied,
        "every applied change recorded exactly once"
    );
    assert_eq!(
        asset.version,
        1 + applied as i64,
        "one version bump per applied change"
    );
}

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
    webhooks::set_outcome(&mut tx.conn(), id, Outcome::Applied, None, None)
        .await
        .unwrap();
    assert!(webhooks::unmatched_for(&mut tx.conn(), &keys)
        .await
        .unwrap()
        .is_empty());
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
    assert_eq!(store.purge_webhook_events(101).await.unwrap(), 1);
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
    asset_lists_filter_by_owner_campaign_and_status,
    super::asset_lists_filter_by_owner_campaign_and_status
);
async fn asset_lists_filter_by_owner_campaign_and_status(store: Store) {
    let id = seeded(&store, "up-6").await;
    let owner = store.asset(id).await.unwrap().unwrap().owner_id;
    let stranger = store
        .upsert_user("user_stranger", Role::User)
        .await
        .unwrap();
    let list = |owner, status| AssetFilter {
        owner: Some(owner),
        status,
        limit: 50,
        ..Default::default()
    };
    assert_eq!(
        store.list_assets(&list(owner, None)).await.unwrap().len(),
        1
    );
    assert!(store
        .list_assets(&list(stranger.id, None))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .list_assets(&list(owner, Some(AssetStatus::AwaitingUpload)))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(store
        .list_assets(&list(owner, Some(AssetStatus::Ready)))
        .await
        .unwrap()
        .is_empty());
}

store_test!(
    lookups_by_upload_asset_and_status_use_an_index,
    super::lookups_by_upload_asset_and_status_use_an_index
);
async fn lookups_by_upload_asset_and_status_use_an_index(store: Store) {
    let user = store.upsert_user("user_bulk", Role::User).await.unwrap();
    // Enough rows that a sequential scan is not the cheap choice, then fresh statistics.
    let mut values = Vec::new();
    for n in 0..3000 {
        let status = AssetStatus::ALL[n % AssetStatus::ALL.len()].as_str();
        values.push(format!(
            "('{id}', '{owner}', 'x', '{id}', 'up-{n}', 'as-{n}', '{status}', {n}, {n})",
            id = AssetId::new(),
            owner = user.id,
        ));
    }
    exec(
        &store,
        &format!(
            "INSERT INTO creative_assets (id, owner_id, name, passthrough, mux_upload_id, mux_asset_id,
                mux_processing_status, created_at, updated_at) VALUES {}",
            values.join(", ")
        ),
    )
    .await;
    exec(&store, "ANALYZE").await;

    let postgres = store.backend() == muxd::config::Backend::Postgres;
    let explain = if postgres {
        "EXPLAIN"
    } else {
        "EXPLAIN QUERY PLAN"
    };
    let in_flight: &[&str] = &[
        "idx_creative_assets_in_flight",
        "idx_creative_assets_status_created",
    ];
    for (query, indexes) in [
        ("SELECT id FROM creative_assets WHERE mux_upload_id = 'up-7'", &["idx_creative_assets_mux_upload_id"][..]),
        ("SELECT id FROM creative_assets WHERE mux_asset_id = 'as-7'", &["idx_creative_assets_mux_asset_id"][..]),
        ("SELECT id FROM creative_assets WHERE mux_processing_status = 'MUX_PROCESSING' ORDER BY created_at LIMIT 50", &["idx_creative_assets_status_created"][..]),
        // The reconciler's scan: either index serves it; which one is the planner's call.
        ("SELECT id FROM creative_assets WHERE mux_processing_status IN ('AWAITING_UPLOAD', 'MUX_PROCESSING') ORDER BY updated_at LIMIT 50", in_flight),
    ] {
        let plan = explain_plan(&store, &format!("{explain} {query}")).await;
        eprintln!("{explain} {query}\n{plan}\n");
        assert!(indexes.iter().any(|index| plan.contains(index)), "expected one of {indexes:?} in the plan of {query}:\n{plan}");
        assert!(!plan.contains("Seq Scan") && !plan.contains("SCAN creative_assets\n") && !plan.ends_with("SCAN creative_assets"), "full scan in {query}:\n{plan}");
    }
}
