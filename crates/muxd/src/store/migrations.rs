//! The schema migrations, embedded in the binary so `muxd migrate` needs no files on disk. Each
//! backend has its own directory; sqlx's migrator records what ran and takes a lock so several
//! instances starting at once migrate once.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use anyhow::Context;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::AnyPool;

use crate::config::Backend;

/// (version, description, SQL) per backend, in order.
const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "polling",
        include_str!("../../migrations/sqlite/0002_polling.sql"),
    ),
];
const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "polling",
        include_str!("../../migrations/postgres/0002_polling.sql"),
    ),
];

#[derive(Debug)]
struct Embedded(&'static [(i64, &'static str, &'static str)]);

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|&(version, description, sql)| {
                    Migration::new(
                        version,
                        Cow::Borrowed(description),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// Applies the pending migrations of `backend`; returns how many the schema now has.
pub async fn run(pool: &AnyPool, backend: Backend) -> anyhow::Result<usize> {
    let source = match backend {
        Backend::Sqlite => Embedded(SQLITE),
        Backend::Postgres => Embedded(POSTGRES),
    };
    let count = source.0.len();
    let migrator = Migrator::new(source).await.map_err(anyhow::Error::from)?;
    migrator
        .run(pool)
        .await
        .context("applying database migrations")?;
    Ok(count)
}
