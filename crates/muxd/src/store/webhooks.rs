//! `webhook_events`: every verified Mux webhook, deduplicated on Mux's event id, with its outcome.
//! Unmatched events are kept with their match keys so they can be applied when their row appears.

use std::fmt;
use std::str::FromStr;

use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::Row;

use super::rows::{parse, parse_opt};
use super::{Store, StoreResult};
use crate::domain::{AssetId, MatchKeys};

/// What muxd did with a webhook event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It matched a row and was applied (possibly changing nothing, if late).
    Applied,
    /// Its id had been seen before; nothing was done.
    Duplicate,
    /// A type muxd does not track; stored only.
    Ignored,
    /// No row matched yet; it is applied when the row appears.
    Unmatched,
    /// Applying it failed; the detail says why.
    Failed,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Applied,
        Outcome::Duplicate,
        Outcome::Ignored,
        Outcome::Unmatched,
        Outcome::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Duplicate => "duplicate",
            Outcome::Ignored => "ignored",
            Outcome::Unmatched => "unmatched",
            Outcome::Failed => "failed",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Outcome {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == text)
            .ok_or(())
    }
}

/// A verified webhook about to be stored.
#[derive(Clone, Debug)]
pub struct NewWebhookEvent<'a> {
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub object_type: Option<&'a str>,
    pub object_id: Option<&'a str>,
    pub mux_created_at: Option<i64>,
    pub received_at: i64,
    pub keys: &'a MatchKeys,
    pub payload: &'a str,
}

/// A stored webhook event.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StoredWebhookEvent {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub mux_created_at: Option<i64>,
    pub received_at: i64,
    pub outcome: Outcome,
    pub asset_id: Option<AssetId>,
    pub deliveries: i64,
    pub detail: Option<String>,
    #[serde(skip)]
    pub payload: String,
}

const COLUMNS: &str = "id, event_id, event_type, object_type, object_id, mux_created_at,
    received_at, outcome, asset_id, deliveries, detail, payload";

fn decode(row: &AnyRow) -> StoreResult<StoredWebhookEvent> {
    Ok(StoredWebhookEvent {
        id: row.try_get("id")?,
        event_id: row.try_get("event_id")?,
        event_type: row.try_get("event_type")?,
        object_type: row.try_get("object_type")?,
        object_id: row.try_get("object_id")?,
        mux_created_at: row.try_get("mux_created_at")?,
        received_at: row.try_get("received_at")?,
        outcome: parse(row, "outcome")?,
        asset_id: parse_opt(row, "asset_id")?,
        deliveries: row.try_get("deliveries")?,
        detail: row.try_get("detail")?,
        payload: row.try_get("payload")?,
    })
}

/// Stores a new event with its outcome and matched row. Returns its row id, or `None` if the
/// event id was already stored, in which case the stored event's delivery count goes up and
/// nothing else changes.
pub async fn insert(
    conn: &mut AnyConnection,
    event: &NewWebhookEvent<'_>,
    outcome: Outcome,
    asset: Option<AssetId>,
) -> StoreResult<Option<i64>> {
    let inserted = sqlx::query(
        "INSERT INTO webhook_events (event_id, event_type, object_type, object_id, mux_created_at,
            received_at, outcome, match_passthrough, match_upload_id, match_asset_id, payload, asset_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (event_id) DO NOTHING RETURNING id",
    )
    .bind(event.event_id)
    .bind(event.event_type)
    .bind(event.object_type)
    .bind(event.object_id)
    .bind(event.mux_created_at)
    .bind(event.received_at)
    .bind(outcome.as_str())
    .bind(event.keys.passthrough.map(|p| p.to_string()))
    .bind(event.keys.upload_id.as_deref())
    .bind(event.keys.asset_id.as_deref())
    .bind(event.payload)
    .bind(asset.map(|a| a.to_string()))
    .fetch_optional(&mut *conn)
    .await?;
    match inserted {
        Some(row) => Ok(Some(row.try_get("id")?)),
        None => {
            sqlx::query(
                "UPDATE webhook_events SET deliveries = deliveries + 1 WHERE event_id = $1",
            )
            .bind(event.event_id)
            .execute(&mut *conn)
            .await?;
            Ok(None)
        }
    }
}

/// Sets what was done with stored event `id`.
pub async fn set_outcome(
    conn: &mut AnyConnection,
    id: i64,
    outcome: Outcome,
    asset: Option<AssetId>,
    detail: Option<&str>,
) -> StoreResult<()> {
    sqlx::query("UPDATE webhook_events SET outcome = $1, asset_id = $2, detail = $3 WHERE id = $4")
        .bind(outcome.as_str())
        .bind(asset.map(|a| a.to_string()))
        .bind(detail)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Unmatched events that name any of `keys`, oldest first: what to apply once a row is known.
pub async fn unmatched_for(
    conn: &mut AnyConnection,
    keys: &MatchKeys,
) -> StoreResult<Vec<StoredWebhookEvent>> {
    let mut found: Vec<StoredWebhookEvent> = Vec::new();
    let probes = [
        ("match_passthrough", keys.passthrough.map(|p| p.to_string())),
        ("match_upload_id", keys.upload_id.clone()),
        ("match_asset_id", keys.asset_id.clone()),
    ];
    for (column, value) in probes {
        let Some(value) = value else { continue };
        let sql = format!(
            "SELECT {COLUMNS} FROM webhook_events WHERE outcome = 'unmatched' AND {column} = $1 ORDER BY id"
        );
        for row in sqlx::query(&sql).bind(value).fetch_all(&mut *conn).await? {
            let event = decode(&row)?;
            if !found.iter().any(|seen| seen.id == event.id) {
                found.push(event);
            }
        }
    }
    found.sort_by_key(|e| e.id);
    Ok(found)
}

/// Which events [`Store::webhook_events`] lists.
#[derive(Clone, Debug, Default)]
pub struct WebhookFilter {
    pub event_type: Option<String>,
    pub outcome: Option<Outcome>,
    pub limit: i64,
    pub offset: i64,
}

impl Store {
    /// Stored events matching `filter`, newest first.
    pub async fn webhook_events(
        &self,
        filter: &WebhookFilter,
    ) -> StoreResult<Vec<StoredWebhookEvent>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM webhook_events
             WHERE ($1 IS NULL OR event_type = $1) AND ($2 IS NULL OR outcome = $2)
             ORDER BY id DESC LIMIT $3 OFFSET $4"
        );
        sqlx::query(&sql)
            .bind(filter.event_type.as_deref())
            .bind(filter.outcome.map(Outcome::as_str))
            .bind(filter.limit)
            .bind(filter.offset)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(decode)
            .collect()
    }

    /// One stored event by Mux event id.
    pub async fn webhook_event(&self, event_id: &str) -> StoreResult<Option<StoredWebhookEvent>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webhook_events WHERE event_id = $1"
        ))
        .bind(event_id)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| decode(&row))
        .transpose()
    }

    /// Forgets events received before `cutoff_ms`; returns how many.
    pub async fn purge_webhook_events(&self, cutoff_ms: i64) -> StoreResult<u64> {
        Ok(
            sqlx::query("DELETE FROM webhook_events WHERE received_at < $1")
                .bind(cutoff_ms)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }
}
