//! The JSON of campaigns and influencers, as the host app and the campaign's users read them.

use serde::Serialize;
use utoipa::ToSchema;

use muxd_core::service::campaigns::CampaignDetail;
use muxd_domain::encoding::{ResolutionTier, VideoQuality};
use muxd_domain::{AppId, CampaignId, ExternalUserId, InfluencerId};
use muxd_store::Influencer;

/// A campaign as the app's API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignView {
    pub id: CampaignId,
    pub app_id: Option<AppId>,
    pub name: String,
    /// The owner's external id.
    pub owner_id: Option<ExternalUserId>,
    /// The members' external ids, sorted.
    pub member_ids: Vec<ExternalUserId>,
    pub archived: bool,
    /// The video quality its uploads ask Mux for; null: the deployment's default.
    pub video_quality: Option<VideoQuality>,
    /// The highest resolution tier its uploads ask Mux for; null: the deployment's default.
    pub max_resolution_tier: Option<ResolutionTier>,
    /// Generated captions for its uploads: `off`, or the language (e.g. `en`); null: the
    /// deployment's `MUXD_CAPTIONS`.
    pub captions: Option<String>,
    pub influencers: Vec<InfluencerView>,
}

/// An influencer as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InfluencerView {
    pub id: InfluencerId,
    pub app_id: Option<AppId>,
    pub name: String,
    pub handle: Option<String>,
}

impl From<Influencer> for InfluencerView {
    fn from(i: Influencer) -> Self {
        InfluencerView {
            id: i.id,
            app_id: i.app_id,
            name: i.name,
            handle: i.handle,
        }
    }
}

impl From<CampaignDetail> for CampaignView {
    fn from(detail: CampaignDetail) -> Self {
        let campaign = detail.campaign;
        CampaignView {
            id: campaign.id,
            app_id: campaign.app_id,
            name: campaign.name,
            owner_id: detail.owner,
            member_ids: detail.member_ids,
            archived: campaign.archived_at.is_some(),
            video_quality: campaign.video_quality,
            max_resolution_tier: campaign.max_resolution_tier,
            captions: campaign.captions.map(|c| c.as_str().to_owned()),
            influencers: detail
                .influencers
                .into_iter()
                .map(InfluencerView::from)
                .collect(),
        }
    }
}
