//! Campaigns as handlers reach them: the host app keeping its campaigns and their influencers in
//! step under its own ids (its users made known to muxd as it names them), and a campaign as one
//! of its users may see it. Something missing, or not the caller's to see, is
//! [`Refusal::NotFound`].

use super::campaigns::{self, CampaignDetail};
use super::Refusal;
use muxd_domain::encoding::EncodingChoice;
use muxd_domain::{AppId, ExternalUserId};
use muxd_store::{Campaign, Influencer, Store, StoreResult, User};

/// The campaign service. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Campaigns {
    pub store: Store,
}

/// A campaign as the host app puts it: its name, owner and members by the app's user ids.
pub struct PutCampaign<'a> {
    pub app_id: &'a AppId,
    pub name: &'a str,
    pub owner: &'a ExternalUserId,
    pub members: &'a [ExternalUserId],
    pub encoding: EncodingChoice,
}

impl Campaigns {
    /// The campaign `reference` names, if `user` may see it.
    pub async fn usable(&self, user: &User, reference: &str) -> Result<CampaignDetail, Refusal> {
        let campaign = campaigns::usable(&self.store, user, reference)
            .await?
            .ok_or(Refusal::NotFound)?;
        Ok(campaigns::view(&self.store, campaign).await?)
    }

    /// Creates or replaces the app's campaign, making its users known first.
    pub async fn put(&self, put: PutCampaign<'_>) -> StoreResult<CampaignDetail> {
        let owner = self.store.ensure_user(put.owner).await?;
        let mut members = Vec::with_capacity(put.members.len());
        for member in put.members {
            members.push(self.store.ensure_user(member).await?.id);
        }
        let campaign = self
            .store
            .put_app_campaign(put.app_id, put.name, owner.id, &members, put.encoding)
            .await?;
        self.view(campaign).await
    }

    /// The app's campaigns, archived or not.
    pub async fn list(&self, archived: bool) -> StoreResult<Vec<CampaignDetail>> {
        let mut views = Vec::new();
        for campaign in self.store.app_campaigns(archived).await? {
            views.push(self.view(campaign).await?);
        }
        Ok(views)
    }

    /// Archives the app's campaign `app_id`: no more uploads into it.
    pub async fn archive(&self, app_id: &AppId) -> Result<CampaignDetail, Refusal> {
        let campaign = self
            .store
            .archive_app_campaign(app_id)
            .await?
            .ok_or(Refusal::NotFound)?;
        Ok(self.view(campaign).await?)
    }

    /// Creates or renames the app's influencer `app_id` of campaign `reference`.
    pub async fn put_influencer(
        &self,
        reference: &str,
        app_id: &AppId,
        name: &str,
        handle: Option<&str>,
    ) -> Result<Influencer, Refusal> {
        let campaign = self
            .store
            .campaign_by_ref(reference)
            .await?
            .ok_or(Refusal::NotFound)?;
        Ok(self
            .store
            .put_app_influencer(campaign.id, app_id, name, handle)
            .await?)
    }

    async fn view(&self, campaign: Campaign) -> StoreResult<CampaignDetail> {
        campaigns::view(&self.store, campaign).await
    }
}
