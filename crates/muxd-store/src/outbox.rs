//! The outbox of outbound webhooks. Every change to an asset is recorded in `asset_events` in
//! the transaction that makes it, with the event type the host app should hear (`outbound`).
//! [`Store::fan_out`] (`fan_out.rs`) turns such records into one message (fixed id and body) and one pending
//! delivery per interested endpoint, and clears the mark, all in one transaction; deliveries are
//! then claimed with a lease ([`Store::claim_deliveries`]), so a process killed mid-send leaves
//! them to be claimed again when the lease ends, and their outcome recorded with every attempt.

use super::{now_ms, run, Backend, Conn, CreativeAsset, Store, StoreResult};

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

/// `FOR UPDATE SKIP LOCKED` on PostgreSQL, so instances fanning out or claiming at once take
/// different rows; SQLite has one writer and needs nothing.
pub(super) fn skip_locked(conn: &Conn<'_>, of: &str) -> String {
    match conn {
        Conn::Postgres(_) => format!(" FOR UPDATE{of} SKIP LOCKED"),
        Conn::Sqlite(_) => String::new(),
    }
}

/// The claimed deliveries' columns, from the deliveries `d` in `from` joined to their messages
/// and endpoints.
fn claimed(from: &str) -> String {
    format!(
        "SELECT d.id, d.attempts, d.endpoint_id, m.id AS message_id, m.event_type, m.payload,
            m.created_at AS message_created_at, e.url, e.secret
         FROM {from} d
         JOIN outbound_messages m ON m.id = d.message_id
         JOIN webhook_endpoints e ON e.id = d.endpoint_id"
    )
}

/// An attempt's row ($1–$5).
const INSERT_ATTEMPT: &str =
    "INSERT INTO outbound_attempts (delivery_id, at, status_code, error, duration_ms)
     VALUES ($1, $2, $3, $4, $5)";

/// What follows an attempt, written to its delivery ($1 the delivery, $3 and $4 its status code
/// and error as in [`INSERT_ATTEMPT`], $6–$8 its status, next attempt and delivery time); the
/// lease ends.
const UPDATE_DELIVERY: &str = "UPDATE outbound_deliveries SET status = $6, attempts = attempts + 1,
        next_attempt_at = $7, delivered_at = COALESCE($8, delivered_at),
        last_status = $3, last_error = $4, lease_until = NULL, lease_token = NULL
     WHERE id = $1";

/// Binds an attempt ($1–$8 of [`INSERT_ATTEMPT`] and [`UPDATE_DELIVERY`]) to `$query`.
macro_rules! bind_attempt {
    ($query:expr, $attempt:expr) => {{
        let attempt: &AttemptRecord = $attempt;
        let (status, next_at, delivered_at) = match attempt.next {
            NextStep::Delivered => ("delivered", None, Some(attempt.at)),
            NextStep::RetryAt(at) => ("pending", Some(at), None),
            NextStep::GiveUp => ("failed", None, None),
        };
        $query
            .bind(attempt.delivery_id)
            .bind(attempt.at)
            .bind(attempt.status_code.map(i64::from))
            .bind(attempt.error.as_deref())
            .bind(attempt.duration_ms)
            .bind(status)
            .bind(next_at)
            .bind(delivered_at)
    }};
}

impl Store {
    /// Leases up to `limit` due deliveries to enabled endpoints (except those in `resting`,
    /// whose breakers are open) until `lease_until` under `token`, and returns them.
    ///
    /// On PostgreSQL that is one statement, committed by itself (it writes nothing when nothing
    /// is due). On SQLite, a read first, as in `fan_out`, since most rounds find nothing due and
    /// a write transaction would queue behind the one writer; then the lease and the read of
    /// what it leased, in one transaction.
    pub async fn claim_deliveries(
        &self,
        token: &str,
        now: i64,
        lease_until: i64,
        limit: i64,
        resting: &[String],
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        let excluded: String = (0..resting.len())
            .map(|n| format!(" AND d.endpoint_id <> ${}", n + 5))
            .collect();
        let lease = |lock: &str| {
            format!(
                "UPDATE outbound_deliveries SET lease_until = $1, lease_token = $2 WHERE id IN (
                    SELECT d.id FROM outbound_deliveries d
                    JOIN webhook_endpoints e ON e.id = d.endpoint_id
                    WHERE d.next_attempt_at <= $3 AND NOT e.disabled
                      AND (d.lease_until IS NULL OR d.lease_until < $3){excluded}
                    ORDER BY d.next_attempt_at LIMIT $4{lock})"
            )
        };
        macro_rules! bind_lease {
            ($query:expr) => {{
                let mut query = $query.bind(lease_until).bind(token).bind(now).bind(limit);
                for endpoint in resting {
                    query = query.bind(endpoint);
                }
                query
            }};
        }
        let order = " ORDER BY d.next_attempt_at, d.id";
        let mut conn = match self.backend() {
            Backend::Postgres => self.write().await?,
            Backend::Sqlite => self.read().await?,
        };
        let lock = skip_locked(&conn.conn(), " OF d");
        if let Conn::Postgres(c) = conn.conn() {
            let sql = format!(
                "WITH leased AS ({} RETURNING id, attempts, endpoint_id, message_id,
                    next_attempt_at) {}{order}",
                lease(&lock),
                claimed("leased"),
            );
            return Ok(bind_lease!(sqlx::query_as(&sql)).fetch_all(&mut *c).await?);
        }
        let due: Option<i64> = run!(&mut conn.conn(), c => sqlx::query_scalar(
            "SELECT id FROM outbound_deliveries WHERE next_attempt_at <= $1 LIMIT 1",
        )
        .bind(now)
        .fetch_optional(&mut **c)
        .await)?;
        drop(conn);
        if due.is_none() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        let mut conn = tx.conn();
        let sql = lease(&lock);
        run!(&mut conn, c => bind_lease!(sqlx::query(&sql)).execute(&mut **c).await.map(drop))?;
        let sql = format!(
            "{} WHERE d.lease_token = $1{order}",
            claimed("outbound_deliveries")
        );
        let leased: Vec<ClaimedDelivery> = run!(&mut conn, c => sqlx::query_as(&sql)
            .bind(token)
            .fetch_all(&mut **c)
            .await)?;
        tx.commit().await?;
        Ok(leased)
    }

    /// Records one attempt and what follows it, and ends the delivery's lease: on PostgreSQL in
    /// one statement committed by itself, on SQLite in a transaction.
    pub async fn record_attempt(&self, attempt: &AttemptRecord) -> StoreResult<()> {
        if self.backend() == Backend::Postgres {
            // PostgreSQL only: SQLite has no INSERT inside WITH.
            let sql = format!("WITH attempt AS ({INSERT_ATTEMPT}) {UPDATE_DELIVERY}");
            run!(&mut self.write().await?.conn(), c => bind_attempt!(sqlx::query(&sql), attempt)
                .execute(&mut **c)
                .await
                .map(drop))?;
            return Ok(());
        }
        let mut tx = self.begin().await?;
        run!(&mut tx.conn(), c => bind_attempt!(sqlx::query(INSERT_ATTEMPT), attempt)
            .execute(&mut **c)
            .await
            .map(drop))?;
        run!(&mut tx.conn(), c => bind_attempt!(sqlx::query(UPDATE_DELIVERY), attempt)
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
