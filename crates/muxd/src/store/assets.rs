//! `creative_assets`: creating rows, finding the row an event is about, and applying lifecycle
//! changes with optimistic concurrency (every update checks and bumps `version`) so concurrent
//! writers, in one process or many, never lose each other's changes.

use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::Row;

use super::rows::{parse, parse_opt};
use super::{now_ms, Store, StoreError, StoreResult};
use crate::domain::event::ErrorSource;
use crate::domain::lifecycle::{self, AssetFacts};
use crate::domain::{
    AssetId, AssetStatus, CampaignId, Cause, Change, ErrorInfo, InfluencerId, LifecycleEvent,
    MatchKeys, ReadyDetails, UserId,
};

const COLUMNS: &str = "id, owner_id, campaign_id, influencer_id, name, description, passthrough,
    mux_upload_id, upload_url, mux_asset_id, mux_processing_status, url, playback_id,
    playback_policy, error_type, error_message, error_source, duration_s, aspect_ratio,
    resolution_tier, ready_at, last_event_at, mux_delete_pending, stuck_since, version,
    created_at, updated_at";

/// How many times a lost optimistic race is re-read and re-applied before giving up.
const MAX_APPLY_ATTEMPTS: usize = 16;

/// One `creative_assets` row.
#[derive(Clone, Debug, PartialEq)]
pub struct CreativeAsset {
    pub id: AssetId,
    pub owner_id: UserId,
    pub campaign_id: Option<CampaignId>,
    pub influencer_id: Option<InfluencerId>,
    pub name: String,
    pub description: Option<String>,
    pub passthrough: String,
    pub mux_upload_id: Option<String>,
    pub upload_url: Option<String>,
    /// The playback URL, once READY.
    pub url: Option<String>,
    pub facts: AssetFacts,
    pub mux_delete_pending: bool,
    pub stuck_since: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a new row needs.
#[derive(Clone, Debug)]
pub struct NewAsset {
    pub id: AssetId,
    pub owner_id: UserId,
    pub campaign_id: Option<CampaignId>,
    pub influencer_id: Option<InfluencerId>,
    pub name: String,
    pub description: Option<String>,
}

fn decode(row: &AnyRow) -> StoreResult<CreativeAsset> {
    let error_type: Option<String> = row.try_get("error_type")?;
    let error = error_type
        .map(|kind| -> StoreResult<ErrorInfo> {
            Ok(ErrorInfo {
                kind,
                message: row
                    .try_get::<Option<String>, _>("error_message")?
                    .unwrap_or_default(),
                source: match row.try_get::<Option<String>, _>("error_source")?.as_deref() {
                    Some("upload") => ErrorSource::Upload,
                    _ => ErrorSource::Asset,
                },
            })
        })
        .transpose()?;
    Ok(CreativeAsset {
        id: parse(row, "id")?,
        owner_id: parse(row, "owner_id")?,
        campaign_id: parse_opt(row, "campaign_id")?,
        influencer_id: parse_opt(row, "influencer_id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        passthrough: row.try_get("passthrough")?,
        mux_upload_id: row.try_get("mux_upload_id")?,
        upload_url: row.try_get("upload_url")?,
        url: row.try_get("url")?,
        facts: AssetFacts {
            status: parse(row, "mux_processing_status")?,
            mux_asset_id: row.try_get("mux_asset_id")?,
            ready: ReadyDetails {
                playback_id: row.try_get("playback_id")?,
                playback_policy: row.try_get("playback_policy")?,
                duration_s: row.try_get("duration_s")?,
                aspect_ratio: row.try_get("aspect_ratio")?,
                resolution_tier: row.try_get("resolution_tier")?,
            },
            error,
            ready_at_ms: row.try_get("ready_at")?,
            last_event_at_ms: row.try_get("last_event_at")?,
        },
        mux_delete_pending: row.try_get::<i64, _>("mux_delete_pending")? == 1,
        stuck_since: row.try_get("stuck_since")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The HLS URL of a playback id under `stream_base` (mux-api.md §4.4).
pub fn playback_url(stream_base: &str, playback_id: &str) -> String {
    format!("{}/{playback_id}.m3u8", stream_base.trim_end_matches('/'))
}

/// Reads one row by id on `conn` (inside a transaction, or not).
pub async fn by_id(conn: &mut AnyConnection, id: AssetId) -> StoreResult<Option<CreativeAsset>> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM creative_assets WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?
    .map(|row| decode(&row))
    .transpose()
}

/// The row an event is about, trying passthrough, then upload id, then asset id (design.md §3).
pub async fn find_by_keys(
    conn: &mut AnyConnection,
    keys: &MatchKeys,
) -> StoreResult<Option<CreativeAsset>> {
    if let Some(id) = keys.passthrough {
        if let Some(asset) = by_id(conn, id).await? {
            return Ok(Some(asset));
        }
    }
    for (column, value) in [
        ("mux_upload_id", &keys.upload_id),
        ("mux_asset_id", &keys.asset_id),
    ] {
        if let Some(value) = value {
            let sql = format!("SELECT {COLUMNS} FROM creative_assets WHERE {column} = $1");
            if let Some(row) = sqlx::query(&sql)
                .bind(value)
                .fetch_optional(&mut *conn)
                .await?
            {
                return decode(&row).map(Some);
            }
        }
    }
    Ok(None)
}

/// Applies `event` to row `id` and records the change in `asset_events`. Returns `None` when the
/// event changes nothing (duplicate or late) or the row does not exist.
pub async fn apply_event(
    conn: &mut AnyConnection,
    id: AssetId,
    event: &LifecycleEvent,
    at_ms: i64,
    cause: &Cause,
    stream_base: &str,
) -> StoreResult<Option<Change>> {
    match by_id(conn, id).await? {
        Some(current) => apply_event_to(conn, current, event, at_ms, cause, stream_base).await,
        None => Ok(None),
    }
}

/// [`apply_event`] starting from a row the caller has just read. A lost optimistic race (another
/// writer bumped `version` first) re-reads the row and re-applies the pure transition.
pub async fn apply_event_to(
    conn: &mut AnyConnection,
    mut current: CreativeAsset,
    event: &LifecycleEvent,
    at_ms: i64,
    cause: &Cause,
    stream_base: &str,
) -> StoreResult<Option<Change>> {
    let id = current.id;
    for _ in 0..MAX_APPLY_ATTEMPTS {
        let Some(change) = lifecycle::apply(&current.facts, event, at_ms) else {
            return Ok(None);
        };
        if write_facts(conn, &current, &change.facts, stream_base).await? {
            record_change(conn, id, change.from, change.to, cause).await?;
            return Ok(Some(change));
        }
        match by_id(conn, id).await? {
            Some(fresh) => current = fresh,
            None => return Ok(None),
        }
    }
    Err(StoreError::Corrupt(format!(
        "asset {id}: gave up after {MAX_APPLY_ATTEMPTS} conflicting concurrent updates"
    )))
}

/// Writes `facts` over `current` if nobody changed the row since it was read.
async fn write_facts(
    conn: &mut AnyConnection,
    current: &CreativeAsset,
    facts: &AssetFacts,
    stream_base: &str,
) -> StoreResult<bool> {
    let url = facts
        .ready
        .playback_id
        .as_deref()
        .filter(|_| facts.status == AssetStatus::Ready)
        .map(|pid| playback_url(stream_base, pid));
    let error = facts.error.as_ref();
    let result = sqlx::query(
        "UPDATE creative_assets SET mux_processing_status = $1, mux_asset_id = $2, url = $3,
            playback_id = $4, playback_policy = $5, error_type = $6, error_message = $7,
            error_source = $8, duration_s = $9, aspect_ratio = $10, resolution_tier = $11,
            ready_at = $12, last_event_at = $13, stuck_since = NULL,
            version = version + 1, updated_at = $14
         WHERE id = $15 AND version = $16",
    )
    // Not cached: sqlx's Any driver sends a NULL f64 as a NULL f32, so a statement prepared with
    // a NULL duration would reject a later real one on PostgreSQL.
    .persistent(false)
    .bind(facts.status.as_str())
    .bind(facts.mux_asset_id.as_deref())
    .bind(url.or_else(|| current.url.clone()))
    .bind(facts.ready.playback_id.as_deref())
    .bind(facts.ready.playback_policy.as_deref())
    .bind(error.map(|e| e.kind.as_str()))
    .bind(error.map(|e| e.message.as_str()))
    .bind(error.map(|e| match e.source {
        ErrorSource::Upload => "upload",
        ErrorSource::Asset => "asset",
    }))
    .bind(facts.ready.duration_s)
    .bind(facts.ready.aspect_ratio.as_deref())
    .bind(facts.ready.resolution_tier.as_deref())
    .bind(facts.ready_at_ms)
    .bind(facts.last_event_at_ms)
    .bind(now_ms())
    .bind(current.id.to_string())
    .bind(current.version)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Appends one row to `asset_events`.
pub async fn record_change(
    conn: &mut AnyConnection,
    id: AssetId,
    from: AssetStatus,
    to: AssetStatus,
    cause: &Cause,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO asset_events (asset_id, from_status, to_status, cause, cause_ref, at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.to_string())
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(cause.kind())
    .bind(cause.reference())
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One recorded change of an asset.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AssetEvent {
    pub id: i64,
    pub asset_id: AssetId,
    pub from_status: AssetStatus,
    pub to_status: AssetStatus,
    pub cause: String,
    pub cause_ref: String,
    pub at: i64,
}

/// Which rows [`Store::list_assets`] returns.
#[derive(Clone, Debug, Default)]
pub struct AssetFilter {
    pub owner: Option<UserId>,
    pub campaign: Option<CampaignId>,
    pub status: Option<AssetStatus>,
    /// Include DELETED rows (admins); owners never see them.
    pub include_deleted: bool,
    /// Only in-flight rows whose polling session ended unresolved.
    pub stuck_only: bool,
    /// Only orphaned uploads: in flight, no asset id, created before this time (unix ms).
    pub orphaned_before: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

impl Store {
    /// Inserts a new AWAITING_UPLOAD row whose passthrough is its own id.
    pub async fn insert_asset(&self, new: &NewAsset) -> StoreResult<CreativeAsset> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO creative_assets (id, owner_id, campaign_id, influencer_id, name, description,
                passthrough, mux_processing_status, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9)",
        )
        .bind(new.id.to_string())
        .bind(new.owner_id.to_string())
        .bind(new.campaign_id.map(|c| c.to_string()))
        .bind(new.influencer_id.map(|i| i.to_string()))
        .bind(&new.name)
        .bind(new.description.as_deref())
        .bind(new.id.to_string())
        .bind(AssetStatus::AwaitingUpload.as_str())
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.asset(new.id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("asset {} vanished after insert", new.id)))
    }

    /// Records the Mux direct upload made for row `id`.
    pub async fn set_upload(
        &self,
        id: AssetId,
        upload_id: &str,
        upload_url: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE creative_assets SET mux_upload_id = $1, upload_url = $2,
                version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(upload_id)
        .bind(upload_url)
        .bind(now_ms())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// One row by id, whoever owns it.
    pub async fn asset(&self, id: AssetId) -> StoreResult<Option<CreativeAsset>> {
        by_id(&mut *self.pool.acquire().await?, id).await
    }

    /// Applies one event to one row in its own transaction (see [`apply_event`]).
    pub async fn apply(
        &self,
        id: AssetId,
        event: &LifecycleEvent,
        at_ms: i64,
        cause: &Cause,
        stream_base: &str,
    ) -> StoreResult<Option<Change>> {
        let mut tx = self.begin().await?;
        let change = apply_event(&mut tx, id, event, at_ms, cause, stream_base).await?;
        tx.commit().await?;
        Ok(change)
    }

    /// Rows matching `filter`, newest first.
    pub async fn list_assets(&self, filter: &AssetFilter) -> StoreResult<Vec<CreativeAsset>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM creative_assets
             WHERE ($1 IS NULL OR owner_id = $1) AND ($2 IS NULL OR campaign_id = $2)
               AND ($3 IS NULL OR mux_processing_status = $3)
               AND ($4 = 1 OR mux_processing_status <> 'DELETED')
               AND ($5 = 0 OR (stuck_since IS NOT NULL
                    AND mux_processing_status IN ('AWAITING_UPLOAD', 'MUX_PROCESSING')))
               AND ($6 IS NULL OR (mux_asset_id IS NULL AND created_at < $6
                    AND mux_processing_status IN ('AWAITING_UPLOAD', 'MUX_PROCESSING')))
             ORDER BY created_at DESC, id DESC LIMIT $7 OFFSET $8"
        );
        sqlx::query(&sql)
            .bind(filter.owner.map(|o| o.to_string()))
            .bind(filter.campaign.map(|c| c.to_string()))
            .bind(filter.status.map(AssetStatus::as_str))
            .bind(i64::from(filter.include_deleted))
            .bind(i64::from(filter.stuck_only))
            .bind(filter.orphaned_before)
            .bind(filter.limit)
            .bind(filter.offset)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(decode)
            .collect()
    }

    /// Records an owner's deletion: the row becomes DELETED (final) and is marked for deletion on
    /// Mux, in one transaction. Returns the change, or `None` if it was already deleted.
    pub async fn delete_by_owner(&self, id: AssetId, cause: &Cause) -> StoreResult<Option<Change>> {
        let mut tx = self.begin().await?;
        let change = apply_event(
            &mut tx,
            id,
            &LifecycleEvent::DeletedByOwner,
            now_ms(),
            cause,
            "",
        )
        .await?;
        if change.is_some() {
            sqlx::query("UPDATE creative_assets SET mux_delete_pending = 1 WHERE id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(change)
    }

    /// Rows whose Mux asset or upload still has to be deleted, oldest first.
    pub async fn pending_deletions(&self, limit: i64) -> StoreResult<Vec<CreativeAsset>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM creative_assets WHERE mux_delete_pending = 1 ORDER BY updated_at LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(decode)
        .collect()
    }

    /// Replaces a READY row's playback id and URL (admin repair).
    pub async fn set_playback(&self, id: AssetId, playback_id: &str, url: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE creative_assets SET playback_id = $1, url = $2, version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(playback_id)
        .bind(url)
        .bind(now_ms())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks row `id`'s Mux deletion as done.
    pub async fn clear_delete_pending(&self, id: AssetId) -> StoreResult<()> {
        sqlx::query(
            "UPDATE creative_assets SET mux_delete_pending = 0, updated_at = $1 WHERE id = $2",
        )
        .bind(now_ms())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Changes what an owner may edit; `None` fields stay as they are. Returns the new row.
    pub async fn update_details(
        &self,
        id: AssetId,
        name: Option<&str>,
        description: Option<&str>,
        influencer: Option<InfluencerId>,
    ) -> StoreResult<Option<CreativeAsset>> {
        sqlx::query(
            "UPDATE creative_assets SET name = COALESCE($1, name), description = COALESCE($2, description),
                influencer_id = COALESCE($3, influencer_id), version = version + 1, updated_at = $4
             WHERE id = $5",
        )
        .bind(name)
        .bind(description)
        .bind(influencer.map(|i| i.to_string()))
        .bind(now_ms())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        self.asset(id).await
    }

    /// Marks a row whose Mux upload could not be created, keeping it visible with the reason.
    pub async fn mark_upload_failed(&self, id: AssetId, message: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE creative_assets SET mux_processing_status = 'ERROR', error_type = 'upload_not_created',
                error_message = $1, error_source = 'upload', version = version + 1, updated_at = $2
             WHERE id = $3",
        )
        .bind(message)
        .bind(now_ms())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes a row that never reached Mux (its upload was definitely not created).
    pub async fn remove_unsent(&self, id: AssetId) -> StoreResult<()> {
        sqlx::query("DELETE FROM creative_assets WHERE id = $1 AND mux_upload_id IS NULL")
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Counts rows by status (health's `statusCounts`).
    pub async fn status_counts(&self) -> StoreResult<Vec<(AssetStatus, i64)>> {
        sqlx::query("SELECT mux_processing_status, COUNT(*) AS n FROM creative_assets GROUP BY mux_processing_status")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| Ok((parse(row, "mux_processing_status")?, row.try_get("n")?)))
            .collect()
    }

    /// Health's processing figures since `since_ms`: (became ready, errored, in flight now).
    pub async fn processing_stats(&self, since_ms: i64) -> StoreResult<(i64, i64, i64)> {
        let row = sqlx::query(
            "SELECT
                COALESCE(SUM(CASE WHEN mux_processing_status = 'READY' AND ready_at >= $1 THEN 1 ELSE 0 END), 0) AS ready,
                COALESCE(SUM(CASE WHEN mux_processing_status = 'ERROR' AND updated_at >= $1 THEN 1 ELSE 0 END), 0) AS errors,
                COALESCE(SUM(CASE WHEN mux_processing_status IN ('AWAITING_UPLOAD', 'MUX_PROCESSING') THEN 1 ELSE 0 END), 0) AS in_flight
             FROM creative_assets",
        )
        .bind(since_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok((
            row.try_get("ready")?,
            row.try_get("errors")?,
            row.try_get("in_flight")?,
        ))
    }

    /// Rows changed since `since_ms` for `owner` (live-stream resume), oldest change first.
    pub async fn assets_changed_since(
        &self,
        owner: UserId,
        since_ms: i64,
    ) -> StoreResult<Vec<CreativeAsset>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM creative_assets WHERE owner_id = $1 AND updated_at > $2 ORDER BY updated_at LIMIT 500"
        ))
        .bind(owner.to_string())
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(decode)
        .collect()
    }

    /// The recorded changes of one asset, oldest first.
    pub async fn asset_events(&self, id: AssetId) -> StoreResult<Vec<AssetEvent>> {
        sqlx::query(
            "SELECT id, asset_id, from_status, to_status, cause, cause_ref, at
             FROM asset_events WHERE asset_id = $1 ORDER BY id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(AssetEvent {
                id: row.try_get("id")?,
                asset_id: parse(row, "asset_id")?,
                from_status: parse(row, "from_status")?,
                to_status: parse(row, "to_status")?,
                cause: row.try_get("cause")?,
                cause_ref: row.try_get("cause_ref")?,
                at: row.try_get("at")?,
            })
        })
        .collect()
    }
}
