//! Persistence: one [`Store`] API over SQLite and PostgreSQL, each through its own native sqlx
//! driver, so PostgreSQL statements are prepared and cached, booleans are booleans, and a
//! PostgreSQL pool is at hand for LISTEN/NOTIFY and batch work ([`Store::db`]).
//!
//! Every query is written once: its SQL is shared (placeholders are `$N`, which both accept;
//! times are unix milliseconds, ids UUID text) and [`run!`] compiles its body once per backend
//! (see `backend.rs`). Each backend has its own migrations (`migrations/{sqlite,postgres}`),
//! embedded with `sqlx::migrate!`.
//!
//! SQLite has one writer behind a one-connection pool (writers queue in-process, and write
//! transactions start with `BEGIN IMMEDIATE`) and a separate pool of read-only connections, so
//! readers never queue behind writers (WAL lets them read while one writes). Commits are
//! `synchronous = FULL`, so an acknowledged webhook survives power loss.

pub mod adoption;
pub mod apply;
pub mod asset_list;
mod asset_row;
pub mod assets;
mod backend;
pub mod campaigns;
pub mod captions;
mod database_url;
mod delivery_log;
pub mod endpoints;
mod error;
pub mod fan_out;
mod health;
mod limits;
mod marks;
pub mod outbox;
pub mod processing;
mod reconcile;
pub mod recorded;
pub mod replacements;
pub mod retention;
mod rows;
pub mod search;
pub mod search_query;
pub mod transitions;
mod upkeep;
pub mod users;
pub mod webhooks;

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use assets::{CreativeAsset, NewAsset};
pub(crate) use backend::run;
pub use backend::{Conn, Db, Pooled, Tx};
pub use database_url::{Backend, DatabaseUrl, UrlRefused};
pub use error::{StoreError, StoreResult};
pub use health::HealthFigures;
pub use limits::{CreateQuota, OverQuota};
/// The domain's names for what a user may do and what became of a webhook, which the store keeps.
pub use muxd_domain::{Outcome, Role};
pub use reconcile::SessionStep;
pub use search::{CueMatch, SearchHit};
pub use users::{Campaign, Influencer, User};
pub use webhooks::{NewWebhookEvent, StoredWebhookEvent};

/// Read-only SQLite connections beside the writer.
const SQLITE_READERS: u32 = 4;
/// PostgreSQL connections per instance.
const POSTGRES_CONNECTIONS: u32 = 16;
/// How long a caller waits for a free connection before the database counts as unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a SQLite read connection lives: a new one loads the planner statistics that
/// [`Store::refresh_statistics`] gathered (an open one keeps the ones it started with).
const SQLITE_READER_LIFETIME: Duration = Duration::from_secs(600);
/// Rows SQLite samples per index when gathering statistics: bounded cost at any table size.
const SQLITE_ANALYSIS_LIMIT: u32 = 1000;

/// The database, shared by every part of muxd. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    /// Writes and transactions.
    writer: Db,
    /// Reads outside a transaction (the same pool as `writer` on PostgreSQL).
    reader: Db,
}

impl Store {
    /// Connects (creating a SQLite file if missing). Does not migrate; see [`Store::migrate`].
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Store> {
        let fail = || format!("could not connect to the database at {url}");
        match url.backend() {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url.expose())
                    .with_context(fail)?
                    // FULL: a commit (and so a 2xx to Mux) survives power loss, not only a crash.
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true);
                // One writer: SQLite has one anyway, and queueing in the pool is fair and prompt
                // where SQLite's busy handler sleeps (that cost 100 ms at p99 under load).
                let writer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(
                        options
                            .clone()
                            .create_if_missing(true)
                            .journal_mode(SqliteJournalMode::Wal),
                    )
                    .await
                    .with_context(fail)?;
                // Connected after the writer, which created the file and put it in WAL mode.
                let reader = SqlitePoolOptions::new()
                    .max_connections(SQLITE_READERS)
                    .max_lifetime(SQLITE_READER_LIFETIME)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options.read_only(true))
                    .await
                    .with_context(fail)?;
                Ok(Store {
                    writer: Db::Sqlite(writer),
                    reader: Db::Sqlite(reader),
                })
            }
            Backend::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(POSTGRES_CONNECTIONS)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect(url.expose())
                    .await
                    .with_context(fail)?;
                Ok(Store {
                    writer: Db::Postgres(pool.clone()),
                    reader: Db::Postgres(pool),
                })
            }
        }
    }

    /// Applies this backend's pending migrations (idempotent; safe with several instances, which
    /// serialise on the migrator's lock). Returns how many migrations the schema now has.
    pub async fn migrate(&self) -> anyhow::Result<usize> {
        let (migrator, result) = match &self.writer {
            Db::Sqlite(pool) => {
                let migrator = sqlx::migrate!("migrations/sqlite");
                let result = migrator.run(pool).await;
                (migrator, result)
            }
            Db::Postgres(pool) => {
                let migrator = sqlx::migrate!("migrations/postgres");
                let result = migrator.run(pool).await;
                (migrator, result)
            }
        };
        result.context("applying database migrations")?;
        self.refresh_statistics()
            .await
            .context("gathering planner statistics")?;
        Ok(migrator.iter().count())
    }

    /// SQLite only: gathers the query planner's statistics (sampled, so bounded at any size),
    /// which SQLite never does by itself; without them it picks a status index and sorts every
    /// in-flight row where a partial index gives the order (47 ms instead of 1 ms at a million
    /// rows). Run at start-up and hourly; PostgreSQL's autovacuum does this on its own.
    pub async fn refresh_statistics(&self) -> StoreResult<()> {
        if let Db::Sqlite(pool) = &self.writer {
            let mut conn = pool.acquire().await?;
            sqlx::query(&format!("PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}"))
                .execute(&mut *conn)
                .await?;
            sqlx::query("ANALYZE").execute(&mut *conn).await?;
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.writer {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The native pool that writes: for work no other module does (LISTEN/NOTIFY, tests).
    pub fn db(&self) -> &Db {
        &self.writer
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite).
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match &self.writer {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A writing connection for one statement outside a transaction (it commits by itself).
    pub async fn write(&self) -> StoreResult<Pooled> {
        Ok(match &self.writer {
            Db::Sqlite(pool) => Pooled::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
        })
    }

    /// A connection for reads outside a transaction.
    pub async fn read(&self) -> StoreResult<Pooled> {
        Ok(match &self.reader {
            Db::Sqlite(pool) => Pooled::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
        })
    }

    /// Round-trips a trivial query: `Ok` means the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        let mut pooled = self.read().await?;
        run!(&mut pooled.conn(), c => sqlx::query("SELECT 1").execute(&mut **c).await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Closes every connection (tests call this before dropping a PostgreSQL database).
    pub async fn close(&self) {
        for db in [&self.writer, &self.reader] {
            match db {
                Db::Sqlite(pool) => pool.close().await,
                Db::Postgres(pool) => pool.close().await,
            }
        }
    }
}

/// Now, as stored: unix epoch milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
