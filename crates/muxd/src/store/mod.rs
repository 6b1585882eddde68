//! Persistence: one [`Store`] API over SQLite and PostgreSQL.
//!
//! Both backends run through sqlx's `Any` driver with the same SQL: placeholders are `$N` (both
//! accept them), times are unix milliseconds and ids UUID text, so no query is written twice.
//! Each backend has its own migrations (`migrations/{sqlite,postgres}`), embedded in the binary.
//! SQLite write transactions start with `BEGIN IMMEDIATE`, so concurrent writers queue on the
//! database lock instead of failing with `SQLITE_BUSY` when a reader upgrades.

pub mod assets;
mod migrations;
pub mod polling;
mod rows;
pub mod transitions;
mod upkeep;
pub mod users;
pub mod webhooks;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyConnection;
use sqlx::{AnyPool, Executor, Transaction};

use crate::config::{Backend, DatabaseUrl};

pub use assets::{CreativeAsset, NewAsset};
pub use users::{Campaign, Influencer, Role, User};
pub use webhooks::{NewWebhookEvent, Outcome, StoredWebhookEvent};

/// A database transaction on either backend.
pub type Tx = Transaction<'static, sqlx::Any>;

/// A failed database operation. [`StoreError::is_unavailable`] tells a caller (e.g. the webhook
/// handler) that the database could not be reached, so it can answer 503 and let Mux retry.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// True when the database itself is unreachable or overloaded, not when a query was wrong.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(
                sqlx::Error::Io(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Tls(_)
                | sqlx::Error::Protocol(_)
                | sqlx::Error::WorkerCrashed,
            ) => true,
            // PostgreSQL's connection (08), resource (53) and operator-intervention (57) classes,
            // and SQLite's "busy"/"locked" (5, 6): the server is there but cannot serve us now.
            StoreError::Database(sqlx::Error::Database(e)) => e.code().is_some_and(|code| {
                code.starts_with("08")
                    || code.starts_with("53")
                    || code.starts_with("57")
                    || code == "5"
                    || code == "6"
            }),
            _ => false,
        }
    }
}

/// The result type of every store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// The database, shared by every part of muxd. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects (creating a SQLite file if missing). Does not migrate; see [`Store::migrate`].
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = url.backend();
        let (driver_url, max_connections) = match backend {
            // One connection: SQLite has one writer anyway, and queueing in the pool is fair and
            // prompt where SQLite's busy handler sleeps (that cost 100 ms at p99 under load).
            Backend::Sqlite if url.expose().contains('?') => (url.expose().to_owned(), 1),
            Backend::Sqlite => (format!("{}?mode=rwc", url.expose()), 1),
            Backend::Postgres => (url.expose().to_owned(), 16),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn: &mut AnyConnection, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&driver_url)
            .await
            .with_context(|| format!("could not connect to the database at {url}"))?;
        Ok(Store { pool, backend })
    }

    /// Applies this backend's pending migrations (idempotent; safe with several instances, which
    /// serialise on the migrator's lock).
    pub async fn migrate(&self) -> anyhow::Result<usize> {
        migrations::run(&self.pool, self.backend).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool, for queries that belong to no other module (health checks).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite).
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Round-trips a trivial query: `Ok` means the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection (tests call this before dropping a PostgreSQL database).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Now, as stored: unix epoch milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
