//! `webhook_endpoints`: the host app's receivers of outbound webhooks (URL, Standard Webhooks
//! secret, event filter), managed by an admin. Checking what an endpoint may be is the service's
//! job (`service::outbound`); this stores what it decided.

use super::{now_ms, run, Store, StoreError, StoreResult};

/// One endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    /// `whsec_<base64 key>`.
    pub secret: String,
    /// The event types it hears; empty: every type.
    pub event_types: Vec<String>,
    pub description: Option<String>,
    pub disabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Endpoint {
    /// Whether it wants events of type `kind`.
    pub fn wants(&self, kind: &str) -> bool {
        !self.disabled
            && (self.event_types.is_empty() || self.event_types.iter().any(|t| t == kind))
    }
}

/// What an admin changes of an endpoint; `None` keeps a field.
#[derive(Clone, Debug, Default)]
pub struct EndpointEdit {
    pub url: Option<String>,
    pub secret: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// `Some(None)` clears it.
    pub description: Option<Option<String>>,
    pub disabled: Option<bool>,
}

/// A `webhook_endpoints` row as stored.
#[derive(sqlx::FromRow)]
pub(super) struct EndpointRow {
    id: String,
    url: String,
    secret: String,
    event_types: String,
    description: Option<String>,
    disabled: bool,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<EndpointRow> for Endpoint {
    type Error = StoreError;

    fn try_from(row: EndpointRow) -> StoreResult<Endpoint> {
        let event_types = serde_json::from_str(&row.event_types).map_err(|error| {
            StoreError::Corrupt(format!("endpoint {}: event_types: {error}", row.id))
        })?;
        Ok(Endpoint {
            id: row.id,
            url: row.url,
            secret: row.secret,
            event_types,
            description: row.description,
            disabled: row.disabled,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

pub(super) const ENDPOINT_COLUMNS: &str =
    "id, url, secret, event_types, description, disabled, created_at, updated_at";

fn types_json(types: &[String]) -> String {
    serde_json::Value::from(types.to_vec()).to_string()
}

impl Store {
    /// Stores a new endpoint (enabled) with a fresh `ep_` id.
    pub async fn insert_endpoint(
        &self,
        url: &str,
        secret: &str,
        event_types: &[String],
        description: Option<&str>,
    ) -> StoreResult<Endpoint> {
        let id = format!("ep_{}", uuid::Uuid::new_v4().simple());
        let now = now_ms();
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "INSERT INTO webhook_endpoints (id, url, secret, event_types, description, disabled,
                created_at, updated_at) VALUES ($1, $2, $3, $4, $5, FALSE, $6, $6)",
        )
        .bind(&id)
        .bind(url)
        .bind(secret)
        .bind(types_json(event_types))
        .bind(description)
        .bind(now)
        .execute(&mut **c)
        .await
        .map(drop))?;
        Ok(Endpoint {
            id,
            url: url.to_owned(),
            secret: secret.to_owned(),
            event_types: event_types.to_vec(),
            description: description.map(str::to_owned),
            disabled: false,
            created_at: now,
            updated_at: now,
        })
    }

    /// Whether any endpoint is enabled (the outbox has someone to tell).
    pub async fn any_endpoint_enabled(&self) -> StoreResult<bool> {
        let any: bool = run!(&mut self.read().await?.conn(), c => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE NOT disabled)",
        )
        .fetch_one(&mut **c)
        .await)?;
        Ok(any)
    }

    /// Every endpoint, oldest first.
    pub async fn endpoints(&self) -> StoreResult<Vec<Endpoint>> {
        let sql =
            format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY created_at, id");
        let rows: Vec<EndpointRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
            .fetch_all(&mut **c)
            .await)?;
        rows.into_iter().map(Endpoint::try_from).collect()
    }

    /// One endpoint by id.
    pub async fn endpoint(&self, id: &str) -> StoreResult<Option<Endpoint>> {
        let sql = format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1");
        let row: Option<EndpointRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut **c)
            .await)?;
        row.map(Endpoint::try_from).transpose()
    }

    /// Applies `edit` to endpoint `id`; returns it as it now is, or `None` if there is none.
    pub async fn update_endpoint(
        &self,
        id: &str,
        edit: &EndpointEdit,
    ) -> StoreResult<Option<Endpoint>> {
        let updated = run!(&mut self.write().await?.conn(), c => sqlx::query(
            "UPDATE webhook_endpoints SET url = COALESCE($1, url), secret = COALESCE($2, secret),
                event_types = COALESCE($3, event_types),
                description = CASE WHEN $4 THEN $5 ELSE description END,
                disabled = COALESCE($6, disabled), updated_at = $7
             WHERE id = $8",
        )
        .bind(edit.url.as_deref())
        .bind(edit.secret.as_deref())
        .bind(edit.event_types.as_deref().map(types_json))
        .bind(edit.description.is_some())
        .bind(edit.description.clone().flatten())
        .bind(edit.disabled)
        .bind(now_ms())
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        match updated {
            0 => Ok(None),
            _ => self.endpoint(id).await,
        }
    }

    /// Deletes endpoint `id` and its delivery log. Returns whether there was one.
    pub async fn delete_endpoint(&self, id: &str) -> StoreResult<bool> {
        let deleted = run!(&mut self.write().await?.conn(), c => sqlx::query(
            "DELETE FROM webhook_endpoints WHERE id = $1",
        )
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(deleted == 1)
    }
}
