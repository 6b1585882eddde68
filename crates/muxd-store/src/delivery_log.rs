//! The outbound delivery log admins read: each delivery with its message, newest first, and one
//! delivery with its payload and every attempt.

use super::{run, Store, StoreResult};
use muxd_domain::outbound::DeliveryStatus;

/// One delivery as the log shows it (times in unix ms).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DeliveryLogEntry {
    pub id: i64,
    pub message_id: String,
    pub endpoint_id: String,
    pub event_type: String,
    pub asset_id: String,
    #[sqlx(try_from = "String")]
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
    pub created_at: i64,
}

/// One attempt as the log shows it (`at` in unix ms; `status_code` absent when the endpoint
/// could not be reached, `error` says why).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AttemptLogEntry {
    pub at: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

const LOG_COLUMNS: &str = "d.id, d.message_id, d.endpoint_id, m.event_type, m.asset_id, d.status,
    d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.delivered_at, d.created_at";

impl Store {
    /// The delivery log, newest first: of one endpoint and/or in one status when asked.
    pub async fn deliveries(
        &self,
        endpoint: Option<&str>,
        status: Option<DeliveryStatus>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<DeliveryLogEntry>> {
        let sql = format!(
            "SELECT {LOG_COLUMNS} FROM outbound_deliveries d
             JOIN outbound_messages m ON m.id = d.message_id
             WHERE ($1 IS NULL OR d.endpoint_id = $1) AND ($2 IS NULL OR d.status = $2)
             ORDER BY d.id DESC LIMIT $3 OFFSET $4"
        );
        run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
            .bind(endpoint)
            .bind(status.map(DeliveryStatus::as_str))
            .bind(limit)
            .bind(offset)
            .fetch_all(&mut **c)
            .await)
        .map_err(Into::into)
    }

    /// One delivery with its message's body and every attempt, oldest first.
    pub async fn delivery(
        &self,
        id: i64,
    ) -> StoreResult<Option<(DeliveryLogEntry, String, Vec<AttemptLogEntry>)>> {
        let mut read = self.read().await?;
        let mut conn = read.conn();
        let sql = format!(
            "SELECT {LOG_COLUMNS}, m.payload FROM outbound_deliveries d
             JOIN outbound_messages m ON m.id = d.message_id WHERE d.id = $1"
        );
        let found: Option<(DeliveryLogEntry, String)> = run!(&mut conn, c => {
            let row = sqlx::query(&sql).bind(id).fetch_optional(&mut **c).await?;
            row.map(|row| {
                use sqlx::{FromRow, Row};
                Ok::<_, sqlx::Error>((DeliveryLogEntry::from_row(&row)?, row.try_get("payload")?))
            })
            .transpose()
        })?;
        let Some((entry, payload)) = found else {
            return Ok(None);
        };
        let attempts: Vec<AttemptLogEntry> = run!(&mut conn, c => sqlx::query_as(
            "SELECT at, status_code, error, duration_ms FROM outbound_attempts
             WHERE delivery_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut **c)
        .await)?;
        Ok(Some((entry, payload, attempts)))
    }
}
