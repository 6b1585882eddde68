//! `creative_assets`: the row type, creating rows, reading them, and finding the row an event is
//! about. Applying lifecycle changes lives in `transitions.rs`; listing rows in `asset_list.rs`;
//! what background jobs, health and admin tools read and fix lives in `upkeep.rs`.

pub(super) use super::asset_row::{decode_all, AssetRow};
use super::marks::outbound_mark;
use super::{now_ms, run, Conn, Store, StoreError, StoreResult};
use muxd_domain::encoding::Encoding;
use muxd_domain::lifecycle::AssetFacts;
use muxd_domain::outbound::EventType;
use muxd_domain::replacement::Replacement;
use muxd_domain::{
    AssetId, AssetOrigin, AssetStatus, CampaignId, InfluencerId, MatchKeys, MuxUploadId, UserId,
};

/// The columns of [`AssetRow`], in a `SELECT`.
pub(super) const COLUMNS: &str =
    "id, owner_id, campaign_id, influencer_id, name, description, passthrough,
    mux_upload_id, upload_url, mux_asset_id, mux_processing_status, url, playback_id,
    playback_policy, error_type, error_message, error_source, duration_s, aspect_ratio,
    resolution_tier, processing_at, ready_at, last_event_at, decided_at, mux_delete_pending,
    delete_attempts, stuck_since, poll_started_at, poll_failures, version, created_at, updated_at,
    file_size, origin, warnings, mp4_ready, video_quality, max_resolution_tier, source_url,
    replaces, replaced_at, replacement_status, replacement_error_type, replacement_error_message,
    text_tracks, captions";

/// The condition of an unsent row: one whose create never recorded where its file comes from,
/// the upload URL it hands out or the link Mux fetches (interrupted, or Mux failed ambiguously).
/// Only muxd's own creates can be unsent: an adopted row has neither and is complete without. The
/// partial index `idx_creative_assets_unsent` (migration 0019) states the same condition.
pub(super) const UNSENT: &str = "upload_url IS NULL AND source_url IS NULL AND origin = 'upload'";

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
    pub mux_upload_id: Option<MuxUploadId>,
    pub upload_url: Option<String>,
    /// The playback URL, once READY.
    pub url: Option<String>,
    pub facts: AssetFacts,
    pub mux_delete_pending: bool,
    /// Failed attempts to finish this row's deletion on Mux (for its backoff).
    pub delete_attempts: i64,
    pub stuck_since: Option<i64>,
    /// When the reconciler's current polling session began, if one is running.
    pub poll_started_at: Option<i64>,
    /// Consecutive failed polls in the current session.
    pub poll_failures: i64,
    pub version: i64,
    /// When muxd handed out the upload URL, or adopted the asset (unix ms, muxd's clock).
    pub created_at: i64,
    pub updated_at: i64,
    /// The file's size in bytes as the uploader announced it, if they did.
    pub file_size: Option<i64>,
    /// muxd's own upload, or an asset made outside muxd and adopted.
    pub origin: AssetOrigin,
    /// The video quality and resolution tier its create asked Mux for (none for adopted rows).
    pub encoding: Option<Encoding>,
    /// The link Mux fetched the file from (scheme, host and path), for a video made from a link.
    pub source_url: Option<String>,
    /// For a hidden take (a new file for an existing card): the card it replaces.
    pub replaces: Option<AssetId>,
    /// When the card last took a new file's Mux asset (unix ms).
    pub replaced_at: Option<i64>,
    /// The card's new file while it is on its way, or after it failed.
    pub replacement: Option<Replacement>,
}

impl CreativeAsset {
    /// Every key an event could name this row by, as the row knows them now.
    pub fn match_keys(&self) -> MatchKeys {
        MatchKeys {
            passthrough: Some(self.id),
            upload_id: self.mux_upload_id.clone(),
            asset_id: self.facts.mux_asset_id.clone(),
        }
    }
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
    /// The file's size in bytes as the uploader announced it, if they did.
    pub file_size: Option<i64>,
    /// What its create asks of Mux's encoding.
    pub encoding: Option<Encoding>,
}

/// What an owner's edit left: the row, and whether the edit changed it.
#[derive(Clone, Debug)]
pub struct DetailsUpdate {
    pub asset: CreativeAsset,
    pub changed: bool,
}

/// The HLS URL of a playback id under `stream_base`.
pub fn playback_url(stream_base: &str, playback_id: &str) -> String {
    format!("{}/{playback_id}.m3u8", stream_base.trim_end_matches('/'))
}

/// Reads one row by id on `conn` (inside a transaction, or not).
pub async fn by_id(conn: &mut Conn<'_>, id: AssetId) -> StoreResult<Option<CreativeAsset>> {
    let sql = format!("SELECT {COLUMNS} FROM creative_assets WHERE id = $1");
    let row: Option<AssetRow> = run!(conn, c => sqlx::query_as(&sql)
        .bind(id.to_string())
        .fetch_optional(&mut **c)
        .await)?;
    row.map(CreativeAsset::try_from).transpose()
}

/// The row an event is about, trying passthrough, then upload id, then asset id (docs/contract.md
/// §3, Linking and Replacing in place), with one exception, the only place replacements touch the lookup: when the event names
/// a Mux asset that another row holds, that row. A replaced card's old asset still carries the
/// card's passthrough, but after the swap a take row holds it, so the old asset's late events
/// (its `video.asset.deleted`) land on that take and never on the card; and the new asset's
/// events, carrying the take's passthrough, land on the card that now holds it.
pub async fn find_by_keys(
    conn: &mut Conn<'_>,
    keys: &MatchKeys,
) -> StoreResult<Option<CreativeAsset>> {
    if let Some(id) = keys.passthrough {
        if let Some(asset) = by_id(conn, id).await? {
            let holds_other = match (&asset.facts.mux_asset_id, &keys.asset_id) {
                (Some(held), Some(named)) => held != named,
                _ => false,
            };
            if holds_other {
                if let Some(holder) =
                    by_column(conn, "mux_asset_id", keys.asset_id.as_deref()).await?
                {
                    return Ok(Some(holder));
                }
            }
            return Ok(Some(asset));
        }
    }
    for (column, value) in [
        ("mux_upload_id", keys.upload_id.as_deref()),
        ("mux_asset_id", keys.asset_id.as_deref()),
    ] {
        if let Some(row) = by_column(conn, column, value).await? {
            return Ok(Some(row));
        }
    }
    Ok(None)
}

/// The row whose unique key `column` is `value`, if `value` is given.
async fn by_column(
    conn: &mut Conn<'_>,
    column: &str,
    value: Option<&str>,
) -> StoreResult<Option<CreativeAsset>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let sql = format!("SELECT {COLUMNS} FROM creative_assets WHERE {column} = $1");
    let row: Option<AssetRow> = run!(conn, c => sqlx::query_as(&sql)
        .bind(value)
        .fetch_optional(&mut **c)
        .await)?;
    row.map(CreativeAsset::try_from).transpose()
}

/// Teaches row `id` its Mux upload id when it does not know one yet (its create was interrupted
/// before storing it, and an event matched by passthrough names it). Returns whether it did.
pub async fn learn_upload_id(
    conn: &mut Conn<'_>,
    id: AssetId,
    upload_id: &str,
) -> StoreResult<bool> {
    let learned = run!(conn, c => sqlx::query(
        "UPDATE creative_assets SET mux_upload_id = $1, version = version + 1, updated_at = $2
         WHERE id = $3 AND mux_upload_id IS NULL",
    )
    .bind(upload_id)
    .bind(now_ms())
    .bind(id.to_string())
    .execute(&mut **c)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(learned == 1)
}

/// Inserts a new AWAITING_UPLOAD row whose passthrough is its own id, on `conn`.
pub(super) async fn insert_row(conn: &mut Conn<'_>, new: &NewAsset) -> StoreResult<CreativeAsset> {
    run!(conn, c => sqlx::query(
        "INSERT INTO creative_assets (id, owner_id, campaign_id, influencer_id, name, description,
            passthrough, mux_processing_status, version, created_at, updated_at, file_size,
            video_quality, max_resolution_tier, captions)
         VALUES ($1, $2, $3, $4, $5, $6, $1, $7, 0, $8, $8, $9, $10, $11, $12)",
    )
    .bind(new.id.to_string())
    .bind(new.owner_id.to_string())
    .bind(new.campaign_id.map(|c| c.to_string()))
    .bind(new.influencer_id.map(|i| i.to_string()))
    .bind(&new.name)
    .bind(new.description.as_deref())
    .bind(AssetStatus::AwaitingUpload.as_str())
    .bind(now_ms())
    .bind(new.file_size)
    .bind(new.encoding.map(|e| e.quality.as_str()))
    .bind(new.encoding.map(|e| e.max_tier.as_str()))
    .bind(new.encoding.map(|e| e.captions.as_str()))
    .execute(&mut **c)
    .await
    .map(drop))?;
    by_id(conn, new.id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("asset {} vanished after insert", new.id)))
}

/// Records in `asset_events` that row `id`'s owner changed it (its status stays), as `kind` for
/// the host app (which hears nothing of a take, a card's new file on its way).
async fn record_owner_change(
    conn: &mut Conn<'_>,
    id: AssetId,
    kind: EventType,
    at: i64,
) -> StoreResult<()> {
    const SQL: &str = concat!(
        "INSERT INTO asset_events (asset_id, from_status, to_status, cause, cause_ref, at, outbound)
         SELECT id, mux_processing_status, mux_processing_status, 'user', owner_id, $1,
            CASE WHEN replaces IS NULL THEN ",
        outbound_mark!("$2"),
        " END FROM creative_assets WHERE id = $3"
    );
    run!(conn, c => sqlx::query(SQL)
    .bind(at)
    .bind(kind.as_str())
    .bind(id.to_string())
    .execute(&mut **c)
    .await
    .map(drop))?;
    Ok(())
}

impl Store {
    /// Inserts a new AWAITING_UPLOAD row whose passthrough is its own id.
    pub async fn insert_asset(&self, new: &NewAsset) -> StoreResult<CreativeAsset> {
        let mut tx = self.begin().await?;
        let asset = insert_row(&mut tx.conn(), new).await?;
        tx.commit().await?;
        Ok(asset)
    }

    /// Records the Mux direct upload made for row `id`.
    pub async fn set_upload(
        &self,
        id: AssetId,
        upload_id: &str,
        upload_url: &str,
    ) -> StoreResult<()> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        run!(&mut tx.conn(), c => sqlx::query(
            "UPDATE creative_assets SET mux_upload_id = $1, upload_url = $2,
                version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(upload_id)
        .bind(upload_url)
        .bind(now)
        .bind(id.to_string())
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        record_owner_change(&mut tx.conn(), id, EventType::Created, now).await?;
        tx.commit().await
    }

    /// Records the link Mux fetches row `id`'s file from (as kept: no query), once Mux accepted
    /// the create: from then on the row is no longer unsent.
    pub async fn set_source(&self, id: AssetId, source_url: &str) -> StoreResult<()> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        run!(&mut tx.conn(), c => sqlx::query(
            "UPDATE creative_assets SET source_url = $1, version = version + 1, updated_at = $2
             WHERE id = $3",
        )
        .bind(source_url)
        .bind(now)
        .bind(id.to_string())
        .execute(&mut **c)
        .await
        .map(drop))?;
        record_owner_change(&mut tx.conn(), id, EventType::Created, now).await?;
        tx.commit().await
    }

    /// One row by id, whoever owns it.
    pub async fn asset(&self, id: AssetId) -> StoreResult<Option<CreativeAsset>> {
        by_id(&mut self.read().await?.conn(), id).await
    }

    /// Changes what `owner` may edit of their not-deleted row `id`, in one step with the
    /// ownership check: `None` fields stay as they are; `description: Some(None)` clears it. An
    /// edit that changes nothing writes nothing (no version, no `asset_events` record). Returns
    /// the row and whether it changed, or `None` if no such row is theirs.
    pub async fn update_details(
        &self,
        id: AssetId,
        owner: UserId,
        name: Option<&str>,
        description: Option<Option<&str>>,
        influencer: Option<InfluencerId>,
    ) -> StoreResult<Option<DetailsUpdate>> {
        let mut tx = self.begin().await?;
        let updated = run!(&mut tx.conn(), c => sqlx::query(
            "UPDATE creative_assets SET name = COALESCE($1, name),
                description = CASE WHEN $2 THEN $3 ELSE description END,
                influencer_id = COALESCE($4, influencer_id), version = version + 1, updated_at = $5
             WHERE id = $6 AND owner_id = $7 AND mux_processing_status <> 'DELETED'
               AND (COALESCE($1, name) <> name
                 OR CASE WHEN $2 THEN $3 ELSE description END IS DISTINCT FROM description
                 OR COALESCE($4, influencer_id) IS DISTINCT FROM influencer_id)",
        )
        .bind(name)
        .bind(description.is_some())
        .bind(description.flatten())
        .bind(influencer.map(|i| i.to_string()))
        .bind(now_ms())
        .bind(id.to_string())
        .bind(owner.to_string())
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        let changed = updated == 1;
        if changed {
            record_owner_change(&mut tx.conn(), id, EventType::Updated, now_ms()).await?;
        }
        let asset = by_id(&mut tx.conn(), id)
            .await?
            .filter(|asset| asset.owner_id == owner && asset.facts.status != AssetStatus::Deleted);
        tx.commit().await?;
        Ok(asset.map(|asset| DetailsUpdate { asset, changed }))
    }

    /// Rows changed since `since_ms` for `owner` (live-stream resume), oldest change first.
    pub async fn assets_changed_since(
        &self,
        owner: UserId,
        since_ms: i64,
    ) -> StoreResult<Vec<CreativeAsset>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM creative_assets WHERE owner_id = $1 AND updated_at > $2 AND replaces IS NULL ORDER BY updated_at LIMIT 500"
        );
        let rows: Vec<AssetRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
            .bind(owner.to_string())
            .bind(since_ms)
            .fetch_all(&mut **c)
            .await)?;
        decode_all(rows)
    }

    /// Up to `limit` rows that `rest` chooses (a `WHERE … ORDER BY` clause in which `$1` is
    /// `value`): the lookups of the background jobs.
    pub(super) async fn rows_where(
        &self,
        rest: &str,
        value: i64,
        limit: i64,
    ) -> StoreResult<Vec<CreativeAsset>> {
        let sql = format!("SELECT {COLUMNS} FROM creative_assets {rest} LIMIT $2");
        let rows: Vec<AssetRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
            .bind(value)
            .bind(limit)
            .fetch_all(&mut **c)
            .await)?;
        decode_all(rows)
    }
}
