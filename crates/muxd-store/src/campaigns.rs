//! The host app's campaigns and influencers, kept under the app's own ids: upserted (one
//! statement each, so two concurrent upserts of one id cannot both insert), listed, archived, and
//! who may upload into a campaign (its members, set by the app). A campaign is found by the app's
//! id or by muxd's.

use super::users::{CampaignRow, InfluencerRow, CAMPAIGN_COLUMNS, INFLUENCER_COLUMNS};
use super::{now_ms, run, Campaign, Influencer, Role, Store, StoreResult, User};
use muxd_domain::encoding::{Captions, EncodingChoice, ResolutionTier, VideoQuality};
use muxd_domain::{AppId, CampaignId, ExternalUserId, InfluencerId, UserId};

/// The most campaigns one listing returns.
pub const LIST_LIMIT: i64 = 1_000;

impl Store {
    /// Creates or updates the app's campaign `app_id` (un-archiving it), owned by `owner`, with
    /// exactly `members` as the users who may upload besides the owner, and asking Mux for
    /// `encoding` (what it leaves unset is the deployment's default).
    pub async fn put_app_campaign(
        &self,
        app_id: &AppId,
        name: &str,
        owner: UserId,
        members: &[UserId],
        encoding: EncodingChoice,
    ) -> StoreResult<Campaign> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "INSERT INTO campaigns (id, owner_id, name, created_at, app_id, video_quality,
                 max_resolution_tier, captions)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (app_id) WHERE app_id IS NOT NULL
             DO UPDATE SET name = excluded.name, owner_id = excluded.owner_id, archived_at = NULL,
                 video_quality = excluded.video_quality,
                 max_resolution_tier = excluded.max_resolution_tier,
                 captions = excluded.captions
             RETURNING {CAMPAIGN_COLUMNS}"
        );
        let row: CampaignRow = run!(&mut tx.conn(), c => sqlx::query_as(&sql)
            .bind(CampaignId::new().to_string())
            .bind(owner.to_string())
            .bind(name)
            .bind(now_ms())
            .bind(&**app_id)
            .bind(encoding.quality.map(VideoQuality::as_str))
            .bind(encoding.max_tier.map(ResolutionTier::as_str))
            .bind(encoding.captions.map(Captions::as_str))
            .fetch_one(&mut **c)
            .await)?;
        let campaign = Campaign::try_from(row)?;
        run!(&mut tx.conn(), c => sqlx::query("DELETE FROM campaign_members WHERE campaign_id = $1")
            .bind(campaign.id.to_string())
            .execute(&mut **c)
            .await
            .map(drop))?;
        for member in members {
            run!(&mut tx.conn(), c => sqlx::query(
                "INSERT INTO campaign_members (campaign_id, user_id) VALUES ($1, $2)
                 ON CONFLICT DO NOTHING",
            )
            .bind(campaign.id.to_string())
            .bind(member.to_string())
            .execute(&mut **c)
            .await
            .map(drop))?;
        }
        tx.commit().await?;
        Ok(campaign)
    }

    /// Creates or updates the app's influencer `app_id` in `campaign`.
    pub async fn put_app_influencer(
        &self,
        campaign: CampaignId,
        app_id: &AppId,
        name: &str,
        handle: Option<&str>,
    ) -> StoreResult<Influencer> {
        let sql = format!(
            "INSERT INTO influencers (id, campaign_id, name, handle, created_at, app_id)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (campaign_id, app_id) WHERE app_id IS NOT NULL
             DO UPDATE SET name = excluded.name, handle = excluded.handle
             RETURNING {INFLUENCER_COLUMNS}"
        );
        let row: InfluencerRow = run!(&mut self.write().await?.conn(), c => sqlx::query_as(&sql)
            .bind(InfluencerId::new().to_string())
            .bind(campaign.to_string())
            .bind(name)
            .bind(handle)
            .bind(now_ms())
            .bind(&**app_id)
            .fetch_one(&mut **c)
            .await)?;
        Influencer::try_from(row)
    }

    /// The app's campaigns, archived or not, oldest first (at most [`LIST_LIMIT`]).
    pub async fn app_campaigns(&self, archived: bool) -> StoreResult<Vec<Campaign>> {
        let which = if archived { "IS NOT NULL" } else { "IS NULL" };
        let sql = format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE app_id IS NOT NULL AND archived_at {which}
             ORDER BY created_at, id LIMIT $1"
        );
        let rows: Vec<CampaignRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
            .bind(LIST_LIMIT)
            .fetch_all(&mut **c)
            .await)?;
        rows.into_iter().map(Campaign::try_from).collect()
    }

    /// Archives the app's campaign `app_id`; `None` if there is none.
    pub async fn archive_app_campaign(&self, app_id: &AppId) -> StoreResult<Option<Campaign>> {
        let sql = format!(
            "UPDATE campaigns SET archived_at = COALESCE(archived_at, $1) WHERE app_id = $2
             RETURNING {CAMPAIGN_COLUMNS}"
        );
        let row: Option<CampaignRow> = run!(&mut self.write().await?.conn(), c => sqlx::query_as(&sql)
            .bind(now_ms())
            .bind(&**app_id)
            .fetch_optional(&mut **c)
            .await)?;
        row.map(Campaign::try_from).transpose()
    }

    /// The campaign `reference` names: the app's id, else muxd's.
    pub async fn campaign_by_ref(&self, reference: &str) -> StoreResult<Option<Campaign>> {
        let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE app_id = $1");
        let row: Option<CampaignRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
            .bind(reference)
            .fetch_optional(&mut **c)
            .await)?;
        match (row, CampaignId::parse(reference)) {
            (Some(row), _) => Campaign::try_from(row).map(Some),
            (None, Ok(id)) => self.campaign(id).await,
            (None, Err(_)) => Ok(None),
        }
    }

    /// The external ids of `campaign`'s members, sorted.
    pub async fn campaign_members(&self, campaign: CampaignId) -> StoreResult<Vec<ExternalUserId>> {
        let ids: Vec<String> = run!(&mut self.read().await?.conn(), c => sqlx::query_scalar(
            "SELECT u.external_id FROM campaign_members m JOIN users u ON u.id = m.user_id
             WHERE m.campaign_id = $1 ORDER BY u.external_id",
        )
        .bind(campaign.to_string())
        .fetch_all(&mut **c)
        .await)?;
        Ok(ids.into_iter().map(ExternalUserId::stored).collect())
    }

    /// Whether `user` is a member of `campaign`.
    pub async fn is_member(&self, campaign: CampaignId, user: UserId) -> StoreResult<bool> {
        let found: i64 = run!(&mut self.read().await?.conn(), c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM campaign_members WHERE campaign_id = $1 AND user_id = $2",
        )
        .bind(campaign.to_string())
        .bind(user.to_string())
        .fetch_one(&mut **c)
        .await)?;
        Ok(found > 0)
    }

    /// The user behind `external_id`, created as a plain user if never seen (an existing user's
    /// role is left as their tokens last said).
    pub async fn ensure_user(&self, external_id: &ExternalUserId) -> StoreResult<User> {
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "INSERT INTO users (id, external_id, role, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (external_id) DO NOTHING",
        )
        .bind(UserId::new().to_string())
        .bind(&**external_id)
        .bind(Role::User.as_str())
        .bind(now_ms())
        .execute(&mut **c)
        .await
        .map(drop))?;
        self.user_by_external_id(external_id).await?.ok_or_else(|| {
            super::StoreError::Corrupt(format!("user {external_id} vanished after its insert"))
        })
    }
}
