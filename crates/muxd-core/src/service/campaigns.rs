//! Who may use a campaign: its owner, the members the host app listed for it, and admins. Anyone
//! else is told it does not exist, so campaigns cannot be found by guessing ids. A campaign and
//! its influencers are named by the app's ids or by muxd's; [`placement`] is the one check of
//! where an asset may go, shared by uploads and adoption.

use muxd_domain::{CampaignId, ExternalUserId, InfluencerId};
use muxd_store::{Campaign, Influencer, Role, Store, StoreError, StoreResult, User};

/// The campaign `reference` names, if `user` may see it and upload into it.
pub async fn usable(store: &Store, user: &User, reference: &str) -> StoreResult<Option<Campaign>> {
    let Some(campaign) = store.campaign_by_ref(reference).await? else {
        return Ok(None);
    };
    let allowed = user.role == Role::Admin
        || campaign.owner_id == user.id
        || store.is_member(campaign.id, user.id).await?;
    Ok(allowed.then_some(campaign))
}

/// Where an asset goes: a campaign its owner may use, and one of that campaign's influencers.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    pub campaign: Option<Campaign>,
    pub influencer: Option<InfluencerId>,
}

/// Why an asset may not go where asked; each caller words it for its audience.
#[derive(Debug, thiserror::Error)]
pub enum PlacementError {
    /// No such campaign, or the user may not use it.
    #[error("no such campaign, or not one the user may use")]
    NoCampaign,
    /// The campaign is archived: it takes no more assets.
    #[error("the campaign is archived")]
    Archived,
    /// The influencer is not one of the campaign's.
    #[error("the influencer is not in the campaign")]
    NoInfluencer,
    /// An influencer was named without a campaign.
    #[error("an influencer needs a campaign")]
    InfluencerWithoutCampaign,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where `user` may put an asset, given the campaign and influencer references asked for (the
/// app's ids or muxd's). A user muxd has not met yet (`None`) may use no campaign.
pub async fn placement(
    store: &Store,
    user: Option<&User>,
    campaign: Option<&str>,
    influencer: Option<&str>,
) -> Result<Placement, PlacementError> {
    let Some(reference) = campaign else {
        return match influencer {
            Some(_) => Err(PlacementError::InfluencerWithoutCampaign),
            None => Ok(Placement::default()),
        };
    };
    let Some(user) = user else {
        return Err(PlacementError::NoCampaign);
    };
    let campaign = usable(store, user, reference)
        .await?
        .ok_or(PlacementError::NoCampaign)?;
    if campaign.archived_at.is_some() {
        return Err(PlacementError::Archived);
    }
    let influencer = match influencer {
        Some(reference) => Some(
            self::influencer(store, campaign.id, reference)
                .await?
                .ok_or(PlacementError::NoInfluencer)?,
        ),
        None => None,
    };
    Ok(Placement {
        campaign: Some(campaign),
        influencer,
    })
}

/// The influencer of `campaign` that `reference` names (the app's id or muxd's).
pub async fn influencer(
    store: &Store,
    campaign: CampaignId,
    reference: &str,
) -> StoreResult<Option<InfluencerId>> {
    let named =
        |i: &Influencer| i.app_id.as_deref() == Some(reference) || i.id.to_string() == reference;
    Ok(store
        .influencers(campaign)
        .await?
        .into_iter()
        .find(named)
        .map(|i| i.id))
}

/// A campaign with who owns it, who else may use it and its influencers.
#[derive(Debug, Clone)]
pub struct CampaignDetail {
    pub campaign: Campaign,
    /// The owner's external id.
    pub owner: Option<ExternalUserId>,
    /// The members' external ids, sorted.
    pub member_ids: Vec<ExternalUserId>,
    pub influencers: Vec<Influencer>,
}

/// `campaign` with its owner, members and influencers.
pub async fn view(store: &Store, campaign: Campaign) -> StoreResult<CampaignDetail> {
    let owner = store.user(campaign.owner_id).await?.map(|u| u.external_id);
    let member_ids = store.campaign_members(campaign.id).await?;
    let influencers = store.influencers(campaign.id).await?;
    Ok(CampaignDetail {
        campaign,
        owner,
        member_ids,
        influencers,
    })
}
