//! The outbox's fan-out, paid per batch: [`Store::fan_out`] takes up to `limit` marked changes
//! and, in one transaction, reads their rows in one statement, writes every message in one
//! statement and every pending delivery in one more (chunked only to stay within the backends'
//! bound-parameter limits), and clears the batch's marks in one. With no endpoint enabled the
//! marks are cleared and nothing else is written. Cost per batch, not per change.

use std::collections::{HashMap, HashSet};

use super::assets::{decode_all, AssetRow, COLUMNS};
use super::endpoints::{Endpoint, EndpointRow, ENDPOINT_COLUMNS};
use super::outbox::{skip_locked, PendingChange};
use super::rows::parse;
use super::transitions::touched_tracks;
use super::{now_ms, run, Conn, CreativeAsset, Store, StoreResult};
use muxd_domain::AssetId;

/// The look for any marked change before a fan-out (public so a test can check its plan). In
/// `id` order, so that PostgreSQL reads the small partial index of marks
/// (`idx_asset_events_outbound`): unordered, statistics taken while marks were many (a burst,
/// an endpoint just added) make it scan the whole history table instead, every second and after
/// every change, until the next `ANALYZE`.
pub const ANY_MARKED: &str =
    "SELECT id FROM asset_events WHERE outbound IS NOT NULL ORDER BY id LIMIT 1";

/// Deliveries written per statement: 3 parameters each, well under SQLite's 32,766.
const DELIVERIES_PER_STATEMENT: usize = 1000;

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    asset_id: String,
    outbound: String,
    at: i64,
    cause: String,
    cause_ref: String,
}

/// One message about to be written, with the endpoints that get it.
struct Message {
    id: String,
    record_id: i64,
    asset_id: AssetId,
    event_type: String,
    payload: String,
    endpoints: Vec<String>,
}

impl Store {
    /// Turns up to `limit` marked changes into messages (body from `render`) and pending
    /// deliveries for the enabled endpoints that want them, and clears their marks, in one
    /// transaction. Returns how many changes it took.
    pub async fn fan_out(
        &self,
        limit: i64,
        render: impl Fn(&PendingChange) -> String,
    ) -> StoreResult<usize> {
        // A read first: most wake-ups find nothing, and a write transaction would queue behind
        // (and in front of) SQLite's one writer for nothing.
        let marked: Option<i64> = run!(&mut self.read().await?.conn(), c => sqlx::query_scalar(
            ANY_MARKED,
        )
        .fetch_optional(&mut **c)
        .await)?;
        if marked.is_none() {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let mut conn = tx.conn();
        let sql = format!(
            "SELECT id, asset_id, outbound, at, cause, cause_ref FROM asset_events
             WHERE outbound IS NOT NULL ORDER BY id LIMIT $1{}",
            skip_locked(&conn, "")
        );
        let records: Vec<RecordRow> = run!(&mut conn, c => sqlx::query_as(&sql)
            .bind(limit)
            .fetch_all(&mut **c)
            .await)?;
        if records.is_empty() {
            return Ok(0);
        }
        let sql = format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE NOT disabled");
        let endpoints: Vec<Endpoint> = run!(&mut conn, c => sqlx::query_as::<_, EndpointRow>(&sql)
            .fetch_all(&mut **c)
            .await)?
        .into_iter()
        .map(Endpoint::try_from)
        .collect::<StoreResult<_>>()?;
        let messages = match endpoints.is_empty() {
            // Nobody listens: the marks are cleared and nothing else is written.
            true => Vec::new(),
            false => messages(&mut conn, &records, &endpoints, &render).await?,
        };
        let now = now_ms();
        insert_messages(&mut conn, &messages, now).await?;
        insert_deliveries(&mut conn, &messages, now).await?;
        clear_marks(&mut conn, &records).await?;
        tx.commit().await?;
        Ok(records.len())
    }
}

/// The messages `records` make for the endpoints that want them, their rows read in one
/// statement. A change whose row is gone, or that no endpoint wants, makes none.
async fn messages(
    conn: &mut Conn<'_>,
    records: &[RecordRow],
    endpoints: &[Endpoint],
    render: &impl Fn(&PendingChange) -> String,
) -> StoreResult<Vec<Message>> {
    let mut wanted = Vec::new();
    for record in records {
        let wanting: Vec<String> = (endpoints.iter())
            .filter(|e| e.wants(&record.outbound))
            .map(|e| e.id.clone())
            .collect();
        if !wanting.is_empty() {
            wanted.push((record, parse("asset_id", &record.asset_id)?, wanting));
        }
    }
    let ids: HashSet<AssetId> = wanted.iter().map(|(_, id, _)| *id).collect();
    let rows = rows_by_id(conn, &ids.into_iter().collect::<Vec<_>>()).await?;
    let mut messages = Vec::with_capacity(wanted.len());
    for (record, asset_id, endpoints) in wanted {
        let Some(asset) = rows.get(&asset_id) else {
            continue;
        };
        let change = PendingChange {
            record_id: record.id,
            event_type: record.outbound.clone(),
            at: record.at,
            asset: asset.clone(),
            replaced: record.cause == "replace",
            captions: touched_tracks(&record.cause_ref),
        };
        messages.push(Message {
            id: format!("msg_{}", uuid::Uuid::new_v4().simple()),
            record_id: record.id,
            asset_id,
            event_type: record.outbound.clone(),
            payload: render(&change),
            endpoints,
        });
    }
    Ok(messages)
}

/// The rows of `ids` that exist, in one statement.
async fn rows_by_id(
    conn: &mut Conn<'_>,
    ids: &[AssetId],
) -> StoreResult<HashMap<AssetId, CreativeAsset>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM creative_assets WHERE id IN ({})",
        list(ids.len())
    );
    let rows: Vec<AssetRow> = run!(conn, c => {
        let mut query = sqlx::query_as(&sql);
        for id in ids {
            query = query.bind(id.to_string());
        }
        query.fetch_all(&mut **c).await
    })?;
    Ok(decode_all(rows)?.into_iter().map(|a| (a.id, a)).collect())
}

async fn insert_messages(conn: &mut Conn<'_>, messages: &[Message], now: i64) -> StoreResult<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO outbound_messages (id, asset_event_id, asset_id, event_type, payload, created_at)
         VALUES{}",
        tuples(messages.len(), 6)
    );
    run!(conn, c => {
        let mut query = sqlx::query(&sql);
        for m in messages {
            query = query
                .bind(&m.id)
                .bind(m.record_id)
                .bind(m.asset_id.to_string())
                .bind(&m.event_type)
                .bind(&m.payload)
                .bind(now);
        }
        query.execute(&mut **c).await.map(drop)
    })?;
    Ok(())
}

async fn insert_deliveries(conn: &mut Conn<'_>, messages: &[Message], now: i64) -> StoreResult<()> {
    let pairs: Vec<(&str, &str)> = (messages.iter())
        .flat_map(|m| m.endpoints.iter().map(|e| (m.id.as_str(), e.as_str())))
        .collect();
    for chunk in pairs.chunks(DELIVERIES_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO outbound_deliveries (message_id, endpoint_id, status, next_attempt_at, created_at)
             VALUES{}",
            delivery_tuples(chunk.len())
        );
        run!(conn, c => {
            let mut query = sqlx::query(&sql);
            for (message, endpoint) in chunk {
                query = query.bind(message.to_string()).bind(endpoint.to_string()).bind(now);
            }
            query.execute(&mut **c).await.map(drop)
        })?;
    }
    Ok(())
}

/// Clears the marks of exactly the batch's records (not ones another instance holds).
async fn clear_marks(conn: &mut Conn<'_>, records: &[RecordRow]) -> StoreResult<()> {
    let sql = format!(
        "UPDATE asset_events SET outbound = NULL WHERE id IN ({})",
        list(records.len())
    );
    run!(conn, c => {
        let mut query = sqlx::query(&sql);
        for record in records {
            query = query.bind(record.id);
        }
        query.execute(&mut **c).await.map(drop)
    })?;
    Ok(())
}

/// `$1, $2, …`: `n` numbered placeholders.
fn list(n: usize) -> String {
    (1..=n)
        .map(|k| format!("${k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// ` ($1, …, $width), (…)`: `rows` tuples of `width` numbered placeholders.
fn tuples(rows: usize, width: usize) -> String {
    let tuples: Vec<String> = (0..rows)
        .map(|r| {
            let row: Vec<String> = (0..width)
                .map(|k| format!("${}", r * width + k + 1))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect();
    format!(" {}", tuples.join(", "))
}

/// ` ($1, $2, 'pending', $3, $3), …`: a delivery's message, endpoint and time.
fn delivery_tuples(rows: usize) -> String {
    let tuples: Vec<String> = (0..rows)
        .map(|r| {
            let (m, e, t) = (3 * r + 1, 3 * r + 2, 3 * r + 3);
            format!("(${m}, ${e}, 'pending', ${t}, ${t})")
        })
        .collect();
    format!(" {}", tuples.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_across_rows() {
        assert_eq!(list(3), "$1, $2, $3");
        assert_eq!(tuples(2, 2), " ($1, $2), ($3, $4)");
        assert_eq!(
            delivery_tuples(2),
            " ($1, $2, 'pending', $3, $3), ($4, $5, 'pending', $6, $6)"
        );
    }
}
