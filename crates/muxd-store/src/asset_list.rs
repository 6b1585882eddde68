//! Listing `creative_assets` for pages and admins: [`AssetFilter`] says which rows, and
//! [`list_query`] builds a statement with only the filters in use, so each combination gets a
//! plan that walks its index in list order (newest first) at any table size.

use super::assets::{decode_all, AssetRow, CreativeAsset, COLUMNS, UNSENT};
use super::{run, Store, StoreResult};
use muxd_domain::{AssetStatus, CampaignId, UserId};

/// Which rows [`Store::list_assets`] returns.
#[derive(Clone, Debug, Default)]
pub struct AssetFilter {
    pub owner: Option<UserId>,
    pub campaign: Option<CampaignId>,
    pub status: Option<AssetStatus>,
    /// Include DELETED rows (admins); owners never see them.
    pub include_deleted: bool,
    /// Include unsent rows, uploads whose create has not recorded its upload URL (admins);
    /// owners never see them, since they were never handed one. (Adopted rows have no upload
    /// URL and are listed either way.)
    pub include_unsent: bool,
    /// Only in-flight rows whose polling session ended unresolved.
    pub stuck_only: bool,
    /// Only orphaned uploads: in flight, no asset id, created before this time (unix ms).
    pub orphaned_before: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// A value bound to a [`list_query`] placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Text(String),
    Int(i64),
}

/// The SQL of [`Store::list_assets`] for `filter`, with only the filters it sets, so each
/// combination is its own prepared statement with a plan that uses its index (a catch-all
/// `$1 IS NULL OR …` statement gets one generic plan that scans). Public for the EXPLAIN tests.
pub fn list_query(filter: &AssetFilter) -> (String, Vec<Bind>) {
    let mut binds = Vec::new();
    let filters = where_clause(filter, &mut binds);
    let limit = binds.len() + 1;
    binds.push(Bind::Int(filter.limit));
    binds.push(Bind::Int(filter.offset));
    let sql = format!(
        "SELECT {COLUMNS} FROM creative_assets {filters}
         ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${}",
        limit + 1
    );
    (sql, binds)
}

/// The `WHERE …` on `creative_assets` columns (unqualified) of the rows `filter` lets through:
/// its filters and the access rules (owners never see deleted or unsent rows; takes are never
/// rows of their own). Values are appended to `binds`, placeholders numbered after what `binds`
/// already holds. Listing and searching ([`Store::search_assets`]) share it.
pub(super) fn where_clause(filter: &AssetFilter, binds: &mut Vec<Bind>) -> String {
    let mut clauses: Vec<String> = Vec::new();
    let mut bind = |clause: &str, value: Bind| {
        binds.push(value);
        clauses.push(clause.replace('?', &format!("${}", binds.len())));
    };
    if let Some(owner) = filter.owner {
        bind("owner_id = ?", Bind::Text(owner.to_string()));
    }
    if let Some(campaign) = filter.campaign {
        bind("campaign_id = ?", Bind::Text(campaign.to_string()));
    }
    if let Some(status) = filter.status {
        bind(
            "mux_processing_status = ?",
            Bind::Text(status.as_str().into()),
        );
    }
    if let Some(before) = filter.orphaned_before {
        bind("mux_asset_id IS NULL AND created_at < ?", Bind::Int(before));
    }
    let in_flight = "mux_processing_status IN ('AWAITING_UPLOAD', 'MUX_PROCESSING')";
    if filter.stuck_only || filter.orphaned_before.is_some() {
        clauses.push(in_flight.into());
    }
    if filter.stuck_only {
        clauses.push("stuck_since IS NOT NULL".into());
    }
    if !filter.include_deleted {
        clauses.push("mux_processing_status <> 'DELETED'".into());
    }
    // A take (a card's new file on its way) is part of its card, never a row of its own.
    clauses.push("replaces IS NULL".into());
    if !filter.include_unsent {
        clauses.push(format!("NOT ({UNSENT})"));
    }
    format!("WHERE {}", clauses.join(" AND "))
}

impl Store {
    /// Rows matching `filter`, newest first.
    pub async fn list_assets(&self, filter: &AssetFilter) -> StoreResult<Vec<CreativeAsset>> {
        let (sql, binds) = list_query(filter);
        let rows: Vec<AssetRow> = self.fetch_bound(&sql, &binds).await?;
        decode_all(rows)
    }

    /// Every row `sql` finds with `binds` bound to its placeholders in order, on a read
    /// connection (the statements built by [`list_query`] and the search's).
    pub(crate) async fn fetch_bound<R>(&self, sql: &str, binds: &[Bind]) -> StoreResult<Vec<R>>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        Ok(run!(&mut self.read().await?.conn(), c => {
            let mut query = sqlx::query_as(sql);
            for bind in binds {
                query = match bind {
                    Bind::Text(text) => query.bind(text.as_str()),
                    Bind::Int(n) => query.bind(*n),
                };
            }
            query.fetch_all(&mut **c).await
        })?)
    }
}
