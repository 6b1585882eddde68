//! Upgrading a database whose transcripts were indexed cue by cue (migration 0021) to one row
//! per track (0022), on both backends: the derived entries are made again, names stay found, and
//! every READY asset with text tracks is marked for the captions job, which indexes its
//! transcripts again.

use muxd_core::config::DatabaseUrl;
use muxd_store::asset_list::AssetFilter;
use muxd_store::{Db, Store};
use sqlx::migrate::Migrator;

use muxd_testkit::databases::{count, exec, PgDatabase, TempDir};

const USER: &str = "6f1c2a8e-0000-4000-8000-000000000001";
const CAPTIONED: &str = "6f1c2a8e-0000-4000-8000-00000000000a";
const SILENT: &str = "6f1c2a8e-0000-4000-8000-00000000000b";

/// The last migration before transcripts became one row per track.
const BEFORE: &str = "0021";

/// Applies `backend`'s migrations up to [`BEFORE`] to `store`'s database.
async fn migrate_to_before(store: &Store, backend: &str) {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../muxd-store/migrations")
        .join(backend);
    let old = TempDir::new().unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name[..BEFORE.len()] <= *BEFORE {
            std::fs::copy(&path, old.path().join(&name)).unwrap();
        }
    }
    let migrator = Migrator::new(old.path()).await.unwrap();
    assert_eq!(migrator.iter().last().unwrap().version, 21);
    match store.db() {
        Db::Sqlite(pool) => migrator.run(pool).await,
        Db::Postgres(pool) => migrator.run(pool).await,
    }
    .unwrap();
}

async fn upgrade(url: DatabaseUrl, backend: &str) {
    let store = Store::connect(&url).await.unwrap();
    migrate_to_before(&store, backend).await;
    exec(
        &store,
        &format!(
            "INSERT INTO users (id, external_id, role, created_at)
             VALUES ('{USER}', 'user_upgrade', 'user', 0)"
        ),
    )
    .await;
    let tracks =
        r#"[{"id":"t1","language":"en","name":"English","source":"generated","status":"ready"}]"#;
    for (id, name, text_tracks) in [
        (CAPTIONED, "Launch teaser", Some(tracks)),
        (SILENT, "Launch outtake", None),
    ] {
        let text_tracks = text_tracks.map_or("NULL".into(), |t| format!("'{t}'"));
        exec(
            &store,
            &format!(
                "INSERT INTO creative_assets (id, owner_id, name, passthrough, upload_url,
                    mux_processing_status, created_at, updated_at, text_tracks)
                 VALUES ('{id}', '{USER}', '{name}', '{id}', 'https://u', 'READY', 1, 1, {text_tracks})"
            ),
        )
        .await;
    }
    exec(
        &store,
        &format!(
            "INSERT INTO search_entries (asset_id, kind, track_id, language, start_ms, scope, body)
             VALUES ('{CAPTIONED}', 'cue', 't1', 'en', 0, 'o{}', 'hello there')",
            USER.replace('-', "")
        ),
    )
    .await;

    store.migrate().await.unwrap();
    let due =
        format!("SELECT COUNT(*) FROM creative_assets WHERE captions_due AND id = '{CAPTIONED}'");
    assert_eq!(
        count(&store, &due).await,
        1,
        "the transcript is indexed again"
    );
    let all_due = "SELECT COUNT(*) FROM creative_assets WHERE captions_due";
    assert_eq!(count(&store, all_due).await, 1, "only assets with tracks");
    let tracked = "SELECT COUNT(*) FROM search_entries WHERE track_id IS NOT NULL";
    assert_eq!(count(&store, tracked).await, 0, "the old cues are gone");
    let filter = AssetFilter {
        include_unsent: true,
        limit: 10,
        ..AssetFilter::default()
    };
    let hits = store.search_assets(&filter, "launch").await.unwrap();
    assert_eq!(hits.len(), 2, "names are found as before");
    store.close().await;
}

#[tokio::test]
async fn sqlite() {
    let dir = TempDir::new().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    upgrade(DatabaseUrl::parse(&url).unwrap(), "sqlite").await;
}

#[tokio::test]
async fn postgres() {
    let Some(db) = PgDatabase::create().await else {
        return;
    };
    upgrade(db.url.clone(), "postgres").await;
}
