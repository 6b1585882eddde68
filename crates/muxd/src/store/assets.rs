//! `creative_assets`: the row type, creating rows, reading them, and finding the row an event is
//! about. Applying lifecycle changes lives in `transitions.rs`; what background jobs, health and
//! admin tools read and fix lives in `upkeep.rs`.

use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::Row;

use super::rows::{parse, parse_opt};
use super::{now_ms, Store, StoreError, StoreResult};
use crate::domain::event::ErrorSource;
use crate::domain::lifecycle::AssetFacts;
use crate::domain::{
    AssetId, AssetStatus, CampaignId, ErrorInfo, InfluencerId, MatchKeys, ReadyDetails, UserId,
};

pub(super) const COLUMNS: &str =
    "id, owner_id, campaign_id, influencer_id, name, description, passthrough,
    mux_upload_id, upload_url, mux_asset_id, mux_processing_status, url, playback_id,
    playback_policy, error_type, error_message, error_source, duration_s, aspect_ratio,
    resolution_tier, ready_at, last_event_at, mux_delete_pending, stuck_since, poll_started_at,
    poll_failures, version,
    created_at, updated_at";

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
    /// When the reconciler's current polling session began, if one is running.
    pub poll_started_at: Option<i64>,
    /// Consecutive failed polls in the current session.
    pub poll_failures: i64,
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
pub(super) fn decode(row: &AnyRow) -> StoreResult<CreativeAsset> {
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
        poll_started_at: row.try_get("poll_started_at")?,
        poll_failures: row.try_get("poll_failures")?,
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
}
