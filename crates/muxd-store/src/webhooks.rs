//! `webhook_events`: every verified Mux webhook, deduplicated on Mux's event id, with its outcome.
//! Unmatched events are kept with their match keys so they can be applied when their row appears.

use super::rows::{parse, parse_opt};
use super::{run, Conn, Store, StoreError, StoreResult};
use muxd_domain::{AssetId, MatchKeys, Outcome};

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
#[derive(Clone, Debug, PartialEq, Eq)]
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
    pub payload: String,
}

const COLUMNS: &str = "id, event_id, event_type, object_type, object_id, mux_created_at,
    received_at, outcome, asset_id, deliveries, detail, payload";

/// A `webhook_events` row as stored (the columns of [`COLUMNS`]).
#[derive(sqlx::FromRow)]
struct WebhookEventRow {
    id: i64,
    event_id: String,
    event_type: String,
    object_type: Option<String>,
    object_id: Option<String>,
    mux_created_at: Option<i64>,
    received_at: i64,
    outcome: String,
    asset_id: Option<String>,
    deliveries: i64,
    detail: Option<String>,
    payload: String,
}

impl TryFrom<WebhookEventRow> for StoredWebhookEvent {
    type Error = StoreError;

    fn try_from(row: WebhookEventRow) -> StoreResult<StoredWebhookEvent> {
        Ok(StoredWebhookEvent {
            id: row.id,
            event_id: row.event_id,
            event_type: row.event_type,
            object_type: row.object_type,
            object_id: row.object_id,
            mux_created_at: row.mux_created_at,
            received_at: row.received_at,
            outcome: parse("outcome", &row.outcome)?,
            asset_id: parse_opt("asset_id", row.asset_id.as_deref())?,
            deliveries: row.deliveries,
            detail: row.detail,
            payload: row.payload,
        })
    }
}

fn decode_all(rows: Vec<WebhookEventRow>) -> StoreResult<Vec<StoredWebhookEvent>> {
    rows.into_iter().map(StoredWebhookEvent::try_from).collect()
}

/// Stores a new event with its outcome and matched row. Returns its row id, or `None` if the
/// event id was already stored, in which case the stored event's delivery count goes up and
/// nothing else changes. One statement: a first delivery is the only one counted once.
pub async fn insert(
    conn: &mut Conn<'_>,
    event: &NewWebhookEvent<'_>,
    outcome: Outcome,
    asset: Option<AssetId>,
) -> StoreResult<Option<i64>> {
    let kept = kept(outcome, event.keys);
    let (id, deliveries): (i64, i64) = run!(conn, c => sqlx::query_as(
        "INSERT INTO webhook_events (event_id, event_type, object_type, object_id, mux_created_at,
            received_at, outcome, match_passthrough, match_upload_id, match_asset_id, payload, asset_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (event_id) DO UPDATE SET deliveries = webhook_events.deliveries + 1
         RETURNING id, deliveries",
    )
    .bind(event.event_id)
    .bind(event.event_type)
    .bind(event.object_type)
    .bind(event.object_id)
    .bind(event.mux_created_at)
    .bind(event.received_at)
    .bind(outcome.as_str())
    .bind(kept.and_then(|k| k.passthrough).map(|p| p.to_string()))
    .bind(kept.and_then(|k| k.upload_id.as_deref()))
    .bind(kept.and_then(|k| k.asset_id.as_deref()))
    .bind(event.payload)
    .bind(asset.map(|a| a.to_string()))
    .fetch_one(&mut **c)
    .await)?;
    Ok((deliveries == 1).then_some(id))
}

/// The match keys a stored event with `outcome` keeps: only an unmatched event is looked up by
/// them (to be applied when its row appears), so any other keeps none and its row is smaller.
fn kept(outcome: Outcome, keys: &MatchKeys) -> Option<&MatchKeys> {
    (outcome == Outcome::Unmatched).then_some(keys)
}

/// Sets what was done with stored event `id`. An event left `unmatched` keeps `keys` (those it
/// names), any other keeps none ([`kept`]).
pub async fn set_outcome(
    conn: &mut Conn<'_>,
    id: i64,
    outcome: Outcome,
    asset: Option<AssetId>,
    detail: Option<&str>,
    keys: &MatchKeys,
) -> StoreResult<()> {
    let kept = kept(outcome, keys);
    run!(conn, c => sqlx::query(
        "UPDATE webhook_events SET outcome = $1, asset_id = $2, detail = $3,
            match_passthrough = $5, match_upload_id = $6, match_asset_id = $7
         WHERE id = $4",
    )
    .bind(outcome.as_str())
    .bind(asset.map(|a| a.to_string()))
    .bind(detail)
    .bind(id)
    .bind(kept.and_then(|k| k.passthrough).map(|p| p.to_string()))
    .bind(kept.and_then(|k| k.upload_id.as_deref()))
    .bind(kept.and_then(|k| k.asset_id.as_deref()))
    .execute(&mut **c)
    .await
        .map(|done| done.rows_affected()))?;
    Ok(())
}

/// Unmatched events that name any of `keys`, oldest first: what to apply once a row is known.
/// The query of [`any_unmatched_for`] (public so a test can check its plan uses the unmatched
/// indexes: it runs after most webhooks, on a table of millions of rows).
/// One indexed search per key (an `OR` would have SQLite scan a whole index).
pub const ANY_UNMATCHED: &str = "
    SELECT id FROM webhook_events WHERE outcome = 'unmatched' AND match_passthrough = $1
    UNION ALL SELECT id FROM webhook_events WHERE outcome = 'unmatched' AND match_upload_id = $2
    UNION ALL SELECT id FROM webhook_events WHERE outcome = 'unmatched' AND match_asset_id = $3
    LIMIT 1";

/// True when any unmatched event names a row with these keys: the cheap look that spares a
/// drain transaction when nothing waits (one statement, no transaction needed).
pub async fn any_unmatched_for(conn: &mut Conn<'_>, keys: &MatchKeys) -> StoreResult<bool> {
    let found: Option<i64> = run!(conn, c => sqlx::query_scalar(ANY_UNMATCHED)
    .bind(keys.passthrough.map(|p| p.to_string()))
    .bind(keys.upload_id.as_deref())
    .bind(keys.asset_id.as_deref())
    .fetch_optional(&mut **c)
    .await)?;
    Ok(found.is_some())
}

pub async fn unmatched_for(
    conn: &mut Conn<'_>,
    keys: &MatchKeys,
) -> StoreResult<Vec<StoredWebhookEvent>> {
    let mut found: Vec<StoredWebhookEvent> = Vec::new();
    let probes = [
        ("match_passthrough", keys.passthrough.map(|p| p.to_string())),
        (
            "match_upload_id",
            keys.upload_id.as_deref().map(str::to_owned),
        ),
        (
            "match_asset_id",
            keys.asset_id.as_deref().map(str::to_owned),
        ),
    ];
    for (column, value) in probes {
        let Some(value) = value else { continue };
        let sql = format!(
            "SELECT {COLUMNS} FROM webhook_events WHERE outcome = 'unmatched' AND {column} = $1 ORDER BY id"
        );
        let rows: Vec<WebhookEventRow> =
            run!(conn, c => sqlx::query_as(&sql).bind(value).fetch_all(&mut **c).await)?;
        for event in decode_all(rows)? {
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
        let rows: Vec<WebhookEventRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
            .bind(filter.event_type.as_deref())
            .bind(filter.outcome.map(Outcome::as_str))
            .bind(filter.limit)
            .bind(filter.offset)
            .fetch_all(&mut **c)
            .await)?;
        decode_all(rows)
    }

    /// One stored event by Mux event id.
    pub async fn webhook_event(&self, event_id: &str) -> StoreResult<Option<StoredWebhookEvent>> {
        let sql = format!("SELECT {COLUMNS} FROM webhook_events WHERE event_id = $1");
        let row: Option<WebhookEventRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
            .bind(event_id)
            .fetch_optional(&mut **c)
            .await)?;
        row.map(StoredWebhookEvent::try_from).transpose()
    }
}
