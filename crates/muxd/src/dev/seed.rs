//! The demo data `muxd dev` starts with: a creator, an admin, a campaign and its influencers,
//! created once and reused on later runs in the same folder.

use muxd_domain::CampaignId;
use muxd_domain::ExternalUserId;
use muxd_store::{Role, Store};

/// The demo data `muxd dev` signs people into.
#[derive(Debug, Clone)]
pub struct Demo {
    pub campaign_id: CampaignId,
    pub user_external_id: String,
    pub admin_external_id: String,
}

const DEMO_USER: &str = "user_demo_creator";
const DEMO_ADMIN: &str = "user_demo_admin";
const DEMO_CAMPAIGN: &str = "Spring Launch (demo)";
const DEMO_INFLUENCERS: [(&str, &str); 3] = [
    ("Ada Lovelace", "@ada"),
    ("Grace Hopper", "@grace"),
    ("Katherine Johnson", "@katherine"),
];

/// Creates the demo user, admin, campaign and influencers once; later runs reuse them.
pub async fn seed(store: &Store) -> anyhow::Result<Demo> {
    let user = store
        .upsert_user(
            &ExternalUserId::parse(DEMO_USER).expect("a valid id"),
            Role::User,
        )
        .await?;
    store
        .upsert_user(
            &ExternalUserId::parse(DEMO_ADMIN).expect("a valid id"),
            Role::Admin,
        )
        .await?;
    let campaign_id = match store.campaign_named(user.id, DEMO_CAMPAIGN).await? {
        Some(campaign) => campaign.id,
        None => {
            let campaign = store.create_campaign(user.id, DEMO_CAMPAIGN).await?;
            for (name, handle) in DEMO_INFLUENCERS {
                store
                    .add_influencer(campaign.id, name, Some(handle))
                    .await?;
            }
            campaign.id
        }
    };
    Ok(Demo {
        campaign_id,
        user_external_id: DEMO_USER.into(),
        admin_external_id: DEMO_ADMIN.into(),
    })
}
