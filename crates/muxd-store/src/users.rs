//! Users (external id → internal UUID, role), campaigns and their influencers: just enough for
//! the content page and for ownership checks.

use super::rows::{parse, parse_opt};
use super::{now_ms, run, Store, StoreError, StoreResult};
use muxd_domain::encoding::{Captions, EncodingChoice, ResolutionTier, VideoQuality};
use muxd_domain::{AppId, CampaignId, ExternalUserId, InfluencerId, Role, UserId};

/// A person known to muxd.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub external_id: ExternalUserId,
    pub role: Role,
}

/// A campaign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Campaign {
    pub id: CampaignId,
    pub owner_id: UserId,
    pub name: String,
    /// The host app's id for it, when the app manages it (`/api/app/campaigns`).
    pub app_id: Option<AppId>,
    /// When it was archived (unix ms): no more uploads into it.
    pub archived_at: Option<i64>,
    /// The video quality its uploads ask Mux for, when not the deployment's default.
    pub video_quality: Option<VideoQuality>,
    /// The highest resolution tier its uploads ask Mux for, when not the deployment's default.
    pub max_resolution_tier: Option<ResolutionTier>,
    /// Whether its uploads ask Mux for generated captions, when not the deployment's default.
    pub captions: Option<Captions>,
}

impl Campaign {
    /// What this campaign asks of Mux's encoding.
    pub fn encoding(&self) -> EncodingChoice {
        EncodingChoice {
            quality: self.video_quality,
            max_tier: self.max_resolution_tier,
            captions: self.captions,
        }
    }
}

/// One creator of a campaign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Influencer {
    pub id: InfluencerId,
    pub campaign_id: CampaignId,
    pub name: String,
    pub handle: Option<String>,
    /// The host app's id for them, when the app manages them.
    pub app_id: Option<AppId>,
}

/// A `users` row as stored.
#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    external_id: String,
    role: String,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> StoreResult<User> {
        Ok(User {
            id: parse("id", &row.id)?,
            external_id: ExternalUserId::stored(row.external_id),
            role: parse("role", &row.role)?,
        })
    }
}

/// The columns a [`Campaign`] is read from.
pub(crate) const CAMPAIGN_COLUMNS: &str =
    "id, owner_id, name, app_id, archived_at, video_quality, max_resolution_tier, captions";
/// The columns an [`Influencer`] is read from.
pub(crate) const INFLUENCER_COLUMNS: &str = "id, campaign_id, name, handle, app_id";

/// A `campaigns` row as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct CampaignRow {
    id: String,
    owner_id: String,
    name: String,
    app_id: Option<String>,
    archived_at: Option<i64>,
    video_quality: Option<String>,
    max_resolution_tier: Option<String>,
    captions: Option<String>,
}

impl TryFrom<CampaignRow> for Campaign {
    type Error = StoreError;

    fn try_from(row: CampaignRow) -> StoreResult<Campaign> {
        Ok(Campaign {
            id: parse("id", &row.id)?,
            owner_id: parse("owner_id", &row.owner_id)?,
            name: row.name,
            app_id: row.app_id.map(AppId::stored),
            archived_at: row.archived_at,
            video_quality: parse_opt("video_quality", row.video_quality.as_deref())?,
            max_resolution_tier: parse_opt(
                "max_resolution_tier",
                row.max_resolution_tier.as_deref(),
            )?,
            captions: parse_opt("captions", row.captions.as_deref())?,
        })
    }
}

/// An `influencers` row as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct InfluencerRow {
    id: String,
    campaign_id: String,
    name: String,
    handle: Option<String>,
    app_id: Option<String>,
}

impl TryFrom<InfluencerRow> for Influencer {
    type Error = StoreError;

    fn try_from(row: InfluencerRow) -> StoreResult<Influencer> {
        Ok(Influencer {
            id: parse("id", &row.id)?,
            campaign_id: parse("campaign_id", &row.campaign_id)?,
            name: row.name,
            handle: row.handle,
            app_id: row.app_id.map(AppId::stored),
        })
    }
}

impl Store {
    /// The user behind `external_id`, created on first sight with `role`. An existing user keeps
    /// their id; their role is updated to `role` (the identity provider is the source of truth).
    pub async fn upsert_user(&self, external_id: &ExternalUserId, role: Role) -> StoreResult<User> {
        let row: UserRow = run!(&mut self.write().await?.conn(), c => sqlx::query_as(
            "INSERT INTO users (id, external_id, role, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (external_id) DO UPDATE SET role = excluded.role
             RETURNING id, external_id, role",
        )
        .bind(UserId::new().to_string())
        .bind(&**external_id)
        .bind(role.as_str())
        .bind(now_ms())
        .fetch_one(&mut **c)
        .await)?;
        User::try_from(row)
    }

    /// A user by external id, if seen before.
    pub async fn user_by_external_id(&self, external_id: &str) -> StoreResult<Option<User>> {
        let row: Option<UserRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(
            "SELECT id, external_id, role FROM users WHERE external_id = $1",
        )
        .bind(external_id)
        .fetch_optional(&mut **c)
        .await)?;
        row.map(User::try_from).transpose()
    }

    /// A user by internal id.
    pub async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let row: Option<UserRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(
            "SELECT id, external_id, role FROM users WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&mut **c)
        .await)?;
        row.map(User::try_from).transpose()
    }

    /// Creates a campaign owned by `owner`.
    pub async fn create_campaign(&self, owner: UserId, name: &str) -> StoreResult<Campaign> {
        let campaign = Campaign {
            id: CampaignId::new(),
            owner_id: owner,
            name: name.to_owned(),
            app_id: None,
            archived_at: None,
            video_quality: None,
            max_resolution_tier: None,
            captions: None,
        };
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "INSERT INTO campaigns (id, owner_id, name, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(campaign.id.to_string())
        .bind(owner.to_string())
        .bind(name)
        .bind(now_ms())
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(campaign)
    }

    /// `owner`'s campaign called `name`, if any (the oldest, if several).
    pub async fn campaign_named(&self, owner: UserId, name: &str) -> StoreResult<Option<Campaign>> {
        let sql = format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE owner_id = $1 AND name = $2 ORDER BY created_at LIMIT 1"
        );
        let row: Option<CampaignRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
        .bind(owner.to_string())
        .bind(name)
        .fetch_optional(&mut **c)
        .await)?;
        row.map(Campaign::try_from).transpose()
    }

    /// A campaign by id.
    pub async fn campaign(&self, id: CampaignId) -> StoreResult<Option<Campaign>> {
        let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1");
        let row: Option<CampaignRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
        .bind(id.to_string())
        .fetch_optional(&mut **c)
        .await)?;
        row.map(Campaign::try_from).transpose()
    }

    /// Adds a creator to a campaign.
    pub async fn add_influencer(
        &self,
        campaign: CampaignId,
        name: &str,
        handle: Option<&str>,
    ) -> StoreResult<Influencer> {
        let influencer = Influencer {
            id: InfluencerId::new(),
            campaign_id: campaign,
            name: name.to_owned(),
            handle: handle.map(str::to_owned),
            app_id: None,
        };
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "INSERT INTO influencers (id, campaign_id, name, handle, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(influencer.id.to_string())
        .bind(campaign.to_string())
        .bind(name)
        .bind(handle)
        .bind(now_ms())
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(influencer)
    }

    /// A campaign's creators, oldest first.
    pub async fn influencers(&self, campaign: CampaignId) -> StoreResult<Vec<Influencer>> {
        let sql = format!(
            "SELECT {INFLUENCER_COLUMNS} FROM influencers WHERE campaign_id = $1 ORDER BY created_at, name, id"
        );
        let rows: Vec<InfluencerRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
        .bind(campaign.to_string())
        .fetch_all(&mut **c)
        .await)?;
        rows.into_iter().map(Influencer::try_from).collect()
    }
}
