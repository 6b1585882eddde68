//! The store suite, run on SQLite and on PostgreSQL: the schema (migrations, both dialects alike),
//! and the fixtures the other `store_*` files share. Rows and lookups are in `store_rows`, the
//! lifecycle with concurrent writers in `store_lifecycle`, the webhook log in `store_webhooks`.

use muxd_domain::ExternalUserId;
use muxd_domain::{AssetId, Cause, LifecycleEvent, ReadyDetails};
use muxd_store::{Db, NewAsset, Role, Store};

use muxd_testkit::databases::store_test;

/// The stream base URL playback URLs are built on.
pub const STREAM: &str = "https://stream.example";

/// The cause of the `n`th webhook of a test.
pub fn webhook_cause(n: u32) -> Cause {
    Cause::Webhook {
        event_id: format!("evt-{n}"),
        event_type: "test".into(),
    }
}

/// `video.asset.ready` for Mux asset `asset`, with every detail set.
pub fn ready(asset: &str) -> LifecycleEvent {
    LifecycleEvent::AssetReady {
        asset_id: asset.into(),
        details: ReadyDetails {
            playback_id: Some("pb-1".into()),
            playback_policy: Some(muxd_domain::PlaybackPolicy::Public),
            duration_s: Some(2.5),
            aspect_ratio: Some("16:9".into()),
            resolution_tier: Some("720p".into()),
            mp4_ready: true,
        },
    }
}

/// A user, a campaign with one influencer, and one asset with an upload id.
pub async fn seeded(store: &Store, upload_id: &str) -> AssetId {
    let user = store
        .upsert_user(&ExternalUserId::parse("user_ext_1").unwrap(), Role::User)
        .await
        .unwrap();
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
            file_size: None,
            encoding: None,
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
/// Migrating again (the harness migrated once) changes nothing and reports every migration of
/// this backend's directory.
async fn migrations_are_idempotent(store: Store) {
    let dialect = match store.backend() {
        muxd_core::config::Backend::Sqlite => "sqlite",
        muxd_core::config::Backend::Postgres => "postgres",
    };
    let dir = format!(
        "{}/../muxd-store/migrations/{dialect}",
        env!("CARGO_MANIFEST_DIR")
    );
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|f| {
            f.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|e| e == "sql")
        })
        .count();
    assert!(files >= 3, "{dir} holds {files} migrations");
    assert_eq!(store.migrate().await.unwrap(), files);
    store.ping().await.unwrap();
}

/// Both dialects' migrations define the same tables and columns, so one set of queries serves
/// both. (Types are each dialect's own: BOOLEAN on PostgreSQL is a 0/1 INTEGER on SQLite.)
#[tokio::test]
async fn both_dialects_define_the_same_columns() {
    let (sqlite, _dir) = muxd_testkit::databases::sqlite_store().await;
    let Some(db) = muxd_testkit::databases::PgDatabase::create().await else {
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
            "search_entries",
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
            // PostgreSQL keeps the full-text vector of an entry in a column; SQLite keeps it in
            // the FTS5 table search_fts (a virtual table and its shadow tables, which PostgreSQL
            // does not have), so this is the one column only one dialect defines.
            let names = names
                .into_iter()
                .filter(|n| !(table == "search_entries" && n == "document"));
            found.extend(names.map(|n| format!("{table}.{n}")));
        }
        store.close().await;
        found
    };
    assert_eq!(columns(sqlite).await, columns(postgres).await);
}
