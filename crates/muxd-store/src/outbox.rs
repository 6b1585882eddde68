//! The outbox of outbound webhooks. Every change to an asset is recorded in `asset_events` in
//! the transaction that makes it, with the event type the host app should hear (`outbound`).
//! [`Store::fan_out`] turns such records into one message (fixed id and body) and one pending
//! delivery per interested endpoint, and clears the mark, all in one transaction; deliveries are
//! then claimed with a lease ([`Store::claim_deliveries`]), so a process killed mid-send leaves
//! them to be claimed again when the lease ends, and their outcome recorded with every attempt.

use super::assets::by_id;
use super::endpoints::{Endpoint, EndpointRow, ENDPOINT_COLUMNS};
use super::transitions::touched_tracks;
use super::{now_ms, run, Conn, CreativeAsset, Store, StoreResult};

pub use super::delivery_log::{AttemptLogEntry, DeliveryLogEntry};

/// A change the host app has not been told of yet, with the row as it is now.
#[derive(Debug)]
pub struct PendingChange {
    pub record_id: i64,
    pub event_type: String,
    /// When the change was made (unix ms).
    pub at: i64,
    pub asset: CreativeAsset,
    /// The change is the swap of a replaced video: the asset took its new file's Mux asset.
    pub replaced: bool,
    /// The text tracks (captions) the change touched, by id.
    pub captions: Vec<String>,
}

/// A delivery claimed for one attempt, with what to send and where.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub id: i64,
    /// Attempts made before this one.
    pub attempts: i64,
    pub endpoint_id: String,
    pub message_id: String,
    pub event_type: String,
    pub payload: String,
    /// When the message was made (unix ms): deliveries are measured from it.
    pub message_created_at: i64,
    pub url: String,
    pub secret: String,
}

/// What one attempt came to.
#[derive(Clone, Debug)]
pub struct AttemptRecord {
    pub delivery_id: i64,
    pub at: i64,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub next: NextStep,
}

/// What follows an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextStep {
    Delivered,
    /// Try again at this time (unix ms).
    RetryAt(i64),
    /// The schedule is spent.
    GiveUp,
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    asset_id: String,
    outbound: String,
    at: i64,
    cause: String,
    cause_ref: String,
}

/// `FOR UPDATE SKIP LOCKED` on PostgreSQL, so instances fanning out or claiming at once take
/// different rows; SQLite has one writer and needs nothing.
fn skip_locked(conn: &Conn<'_>, of: &str) -> String {
    match conn {
        Conn::Postgres(_) => format!(" FOR UPDATE{of} SKIP LOCKED"),
        Conn::Sqlite(_) => String::new(),
    }
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
            "SELECT id FROM asset_events WHERE outbound IS NOT NULL LIMIT 1",
        )
        .fetch_optional(&mut **c)
        .await)?;
        if marked.is_none() {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let mut conn = tx.conn();
        let sql = format!(
            "SELECT id, asset_id, outbound, at, cause, cause_ref FROM asset_events WHERE outbound IS NOT NULL
             ORDER BY id LIMIT $1{}",
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
        if endpoints.is_empty() {
            // Nobody listens: clear the batch in one statement.
            let (first, last) = (records[0].id, records[records.len() - 1].id);
            run!(&mut conn, c => sqlx::query(
                "UPDATE asset_events SET outbound = NULL
                 WHERE outbound IS NOT NULL AND id BETWEEN $1 AND $2",
            )
            .bind(first)
            .bind(last)
            .execute(&mut **c)
            .await
            .map(drop))?;
            tx.commit().await?;
            return Ok(records.len());
        }
        let now = now_ms();
        for record in &records {
            let wanting: Vec<&Endpoint> = endpoints
                .iter()
                .filter(|e| e.wants(&record.outbound))
                .collect();
            if !wanting.is_empty() {
                let asset_id = super::rows::parse("asset_id", &record.asset_id)?;
                if let Some(asset) = by_id(&mut conn, asset_id).await? {
                    let change = PendingChange {
                        record_id: record.id,
                        event_type: record.outbound.clone(),
                        at: record.at,
                        asset,
                        replaced: record.cause == "replace",
                        captions: touched_tracks(&record.cause_ref),
                    };
                    let message_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
                    insert_message(&mut conn, &message_id, &change, &render(&change), now).await?;
                    for endpoint in wanting {
                        insert_delivery(&mut conn, &message_id, &endpoint.id, now).await?;
                    }
                }
            }
            run!(&mut conn, c => sqlx::query("UPDATE asset_events SET outbound = NULL WHERE id = $1")
                .bind(record.id)
                .execute(&mut **c)
                .await
                .map(drop))?;
        }
        tx.commit().await?;
        Ok(records.len())
    }

    /// Leases up to `limit` due deliveries to enabled endpoints (except those in `resting`,
    /// whose breakers are open) until `lease_until` under `token`, and returns them.
    pub async fn claim_deliveries(
        &self,
        token: &str,
        now: i64,
        lease_until: i64,
        limit: i64,
        resting: &[String],
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        // A read first, as in `fan_out`: most rounds find nothing due.
        let due: Option<i64> = run!(&mut self.read().await?.conn(), c => sqlx::query_scalar(
            "SELECT id FROM outbound_deliveries WHERE next_attempt_at <= $1 LIMIT 1",
        )
        .bind(now)
        .fetch_optional(&mut **c)
        .await)?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        let mut conn = tx.conn();
        let excluded: String = (0..resting.len())
            .map(|n| format!(" AND d.endpoint_id <> ${}", n + 5))
            .collect();
        let sql = format!(
            "UPDATE outbound_deliveries SET lease_until = $1, lease_token = $2 WHERE id IN (
                SELECT d.id FROM outbound_deliveries d
                JOIN webhook_endpoints e ON e.id = d.endpoint_id
                WHERE d.next_attempt_at <= $3 AND NOT e.disabled
                  AND (d.lease_until IS NULL OR d.lease_until < $3){excluded}
                ORDER BY d.next_attempt_at LIMIT $4{})",
            skip_locked(&conn, " OF d")
        );
        run!(&mut conn, c => {
            let mut query = sqlx::query(&sql)
                .bind(lease_until)
                .bind(token)
                .bind(now)
                .bind(limit);
            for endpoint in resting {
                query = query.bind(endpoint);
            }
            query.execute(&mut **c).await.map(drop)
        })?;
        let claimed: Vec<ClaimedDelivery> = run!(&mut conn, c => sqlx::query_as(
            "SELECT d.id, d.attempts, d.endpoint_id, m.id AS message_id, m.event_type, m.payload,
                m.created_at AS message_created_at, e.url, e.secret
             FROM outbound_deliveries d
             JOIN outbound_messages m ON m.id = d.message_id
             JOIN webhook_endpoints e ON e.id = d.endpoint_id
             WHERE d.lease_token = $1 ORDER BY d.next_attempt_at, d.id",
        )
        .bind(token)
        .fetch_all(&mut **c)
        .await)?;
        tx.commit().await?;
        Ok(claimed)
    }

    /// Records one attempt and what follows it, and ends the delivery's lease.
    pub async fn record_attempt(&self, attempt: &AttemptRecord) -> StoreResult<()> {
        let (status, next_at, delivered_at) = match attempt.next {
            NextStep::Delivered => ("delivered", None, Some(attempt.at)),
            NextStep::RetryAt(at) => ("pending", Some(at), None),
            NextStep::GiveUp => ("failed", None, None),
        };
        let mut tx = self.begin().await?;
        run!(&mut tx.conn(), c => sqlx::query(
            "INSERT INTO outbound_attempts (delivery_id, at, status_code, error, duration_ms)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(attempt.delivery_id)
        .bind(attempt.at)
        .bind(attempt.status_code.map(i64::from))
        .bind(attempt.error.as_deref())
        .bind(attempt.duration_ms)
        .execute(&mut **c)
        .await
        .map(drop))?;
        run!(&mut tx.conn(), c => sqlx::query(
            "UPDATE outbound_deliveries SET status = $1, attempts = attempts + 1,
                next_attempt_at = $2, delivered_at = COALESCE($3, delivered_at),
                last_status = $4, last_error = $5, lease_until = NULL, lease_token = NULL
             WHERE id = $6",
        )
        .bind(status)
        .bind(next_at)
        .bind(delivered_at)
        .bind(attempt.status_code.map(i64::from))
        .bind(attempt.error.as_deref())
        .bind(attempt.delivery_id)
        .execute(&mut **c)
        .await
        .map(drop))?;
        tx.commit().await
    }

    /// Puts a claimed delivery back without an attempt (its endpoint's breaker turned it away),
    /// due at `at`.
    pub async fn defer_delivery(&self, id: i64, at: i64) -> StoreResult<()> {
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "UPDATE outbound_deliveries SET next_attempt_at = $1, lease_until = NULL,
                lease_token = NULL WHERE id = $2",
        )
        .bind(at)
        .bind(id)
        .execute(&mut **c)
        .await
        .map(drop))?;
        Ok(())
    }

    /// Sends delivery `id` again now, with a fresh schedule, whatever became of it. Returns
    /// whether there is such a delivery.
    pub async fn replay_delivery(&self, id: i64) -> StoreResult<bool> {
        let replayed = run!(&mut self.write().await?.conn(), c => sqlx::query(
            "UPDATE outbound_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1,
                lease_until = NULL, lease_token = NULL WHERE id = $2",
        )
        .bind(now_ms())
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(replayed == 1)
    }
}

async fn insert_message(
    conn: &mut Conn<'_>,
    id: &str,
    change: &PendingChange,
    payload: &str,
    now: i64,
) -> StoreResult<()> {
    run!(conn, c => sqlx::query(
        "INSERT INTO outbound_messages (id, asset_event_id, asset_id, event_type, payload, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(change.record_id)
    .bind(change.asset.id.to_string())
    .bind(&change.event_type)
    .bind(payload)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(drop))
    .map_err(Into::into)
}

async fn insert_delivery(
    conn: &mut Conn<'_>,
    message_id: &str,
    endpoint_id: &str,
    now: i64,
) -> StoreResult<()> {
    run!(conn, c => sqlx::query(
        "INSERT INTO outbound_deliveries (message_id, endpoint_id, status, next_attempt_at, created_at)
         VALUES ($1, $2, 'pending', $3, $3)",
    )
    .bind(message_id)
    .bind(endpoint_id)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(drop))
    .map_err(Into::into)
}
