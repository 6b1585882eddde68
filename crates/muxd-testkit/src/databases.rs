//! Test databases. Every store test runs twice, on a fresh SQLite file and on a fresh PostgreSQL
//! database created for it (and dropped afterwards, even if the test panics).
//!
//! PostgreSQL comes from `MUXD_TEST_POSTGRES_URL` (default: the local server with trust auth).
//! On a laptop without it the PostgreSQL half of each test says loudly that it skipped; under
//! `CI=true` an unreachable server fails the test.

use std::future::Future;

use muxd_store::{DatabaseUrl, Db, Store};
use sqlx::{Connection, Executor, PgConnection, Row};
pub use tempfile::TempDir;

const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Defines `mod $name { sqlite, postgres }`, running `$body(store)` on each backend.
#[macro_export]
macro_rules! store_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                $crate::databases::run_sqlite($body).await;
            }
            #[tokio::test]
            async fn postgres() {
                $crate::databases::run_postgres($body).await;
            }
        }
    };
}
pub use crate::store_test;

/// A fresh, migrated SQLite database in a temp dir that lives as long as the returned guard.
pub async fn sqlite_store() -> (Store, TempDir) {
    let dir = TempDir::new().unwrap();
    let url = DatabaseUrl::parse(&format!(
        "sqlite://{}",
        dir.path().join("muxd.db").display()
    ))
    .unwrap();
    let store = Store::connect(&url).await.expect("sqlite connects");
    store.migrate().await.expect("sqlite migrates");
    (store, dir)
}

pub async fn run_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let (store, _dir) = sqlite_store().await;
    body(store.clone()).await;
    store.close().await;
}

pub async fn run_postgres<F, Fut>(body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(db) = PgDatabase::create().await else {
        return;
    };
    let store = Store::connect(&db.url).await.expect("postgres connects");
    store.migrate().await.expect("postgres migrates");
    body(store.clone()).await;
    store.close().await;
}

/// The admin URL of the PostgreSQL server tests create databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("MUXD_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned())
}

/// True under CI, where every dependency must be present.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A PostgreSQL database made for one test; dropped (with `FORCE`) when this guard drops.
pub struct PgDatabase {
    pub url: DatabaseUrl,
    name: String,
}

impl PgDatabase {
    /// Creates the database, or returns `None` (after saying so) when PostgreSQL is unreachable
    /// outside CI.
    pub async fn create() -> Option<PgDatabase> {
        let admin = postgres_admin_url();
        let mut conn = match PgConnection::connect(&admin).await {
            Ok(conn) => conn,
            Err(error) if !in_ci() => {
                eprintln!("\n*** SKIPPED (PostgreSQL unreachable at {admin}: {error}); set MUXD_TEST_POSTGRES_URL or run with CI=true to require it ***\n");
                return None;
            }
            Err(error) => panic!("CI=true requires PostgreSQL at {admin}: {error}"),
        };
        let name = format!("muxd_test_{}", uuid::Uuid::new_v4().simple());
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(base, _)| base);
        let url = DatabaseUrl::parse(&format!("{base}/{name}")).unwrap();
        Some(PgDatabase { url, name })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside async context guarantees; use a private runtime on its own thread.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                if let Ok(mut conn) = PgConnection::connect(&postgres_admin_url()).await {
                    let _ = conn
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await;
                }
            });
        })
        .join();
    }
}

/// Waits until `check` holds, asking every 20 ms; fails the test naming `what` after 15 s.
pub async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not happen within 15 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Runs raw SQL for set-up no store API offers (backdating rows, bulk inserts). Returns the
/// rows affected.
pub async fn exec(store: &Store, sql: &str) -> u64 {
    match store.db() {
        Db::Sqlite(pool) => pool.execute(sql).await.unwrap().rows_affected(),
        Db::Postgres(pool) => pool.execute(sql).await.unwrap().rows_affected(),
    }
}

/// The single integer a raw `SELECT COUNT(*) …` returns.
pub async fn count(store: &Store, sql: &str) -> i64 {
    match store.db() {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

/// The plan an `EXPLAIN` (PostgreSQL) or `EXPLAIN QUERY PLAN` (SQLite) statement prints, one
/// line per step.
pub async fn explain_plan(store: &Store, explain: &str) -> String {
    let lines: Vec<String> = match store.db() {
        Db::Sqlite(pool) => sqlx::query(explain)
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<String, _>(3))
            .collect(),
        Db::Postgres(pool) => sqlx::query(explain)
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<String, _>(0))
            .collect(),
    };
    lines.join("\n")
}
