//! `muxd dev`: the embedded default. SQLite in the working directory, the Mux emulator in-process
//! with its webhooks pointed at this muxd (real signatures), a demo user, admin, campaign and
//! influencers, and the URL of the content page printed. No credentials, no network.

use std::future::Future;

use anyhow::Context;
use mux_emulator::EmulatorConfig;
use rand::RngCore;
use secrecy::SecretString;
use tokio::net::TcpListener;

use crate::app::{self, Wiring};
use crate::config::Settings;
use crate::domain::CampaignId;
use crate::identity::Identity;
use crate::reconcile::schedule::Schedule;
use crate::store::{Role, Store};

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
    let user = store.upsert_user(DEMO_USER, Role::User).await?;
    store.upsert_user(DEMO_ADMIN, Role::Admin).await?;
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

/// Runs `muxd dev` on `listener` until `shutdown`. `on_ready` gets the URL to open.
pub async fn run(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_ready: impl FnOnce(&str),
) -> anyhow::Result<()> {
    let addr = listener.local_addr().context("reading muxd's address")?;
    let base = format!("http://{addr}");
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let signing_secret = hex::encode(secret);
    let emulator = mux_emulator::start_on_ephemeral_port(EmulatorConfig {
        webhook_urls: vec![format!("{base}/api/webhooks/mux")],
        signing_secret: signing_secret.clone(),
        ..EmulatorConfig::default()
    })
    .await
    .context("starting the Mux emulator")?;
    let emulator_defaults = EmulatorConfig::default();
    let mut settings = settings;
    settings.mux.base_url = emulator.base_url();
    settings.mux.token_id = emulator_defaults.token_id;
    settings.mux.token_secret = SecretString::from(emulator_defaults.token_secret);
    settings.webhook.secrets = vec![SecretString::from(signing_secret)];
    settings.uploads.stream_base_url = format!("{}/stream", emulator.base_url());
    settings.uploads.cors_origin = base.clone();
    let store = Store::connect(&settings.database_url).await?;
    store.migrate().await?;
    let demo = seed(&store).await?;
    let campaign = demo.campaign_id;
    let wiring = Wiring {
        identity: Identity::dev(&secret),
        mux: app::mux_config(&settings),
        demo: Some(demo),
        reconcile: Some(Schedule::default()),
    };
    let app = app::build(&settings, store, wiring).await?;
    on_ready(&format!(
        "{base}/dev/login?as=user (then /campaigns/{campaign}/content; admin: /dev/login?as=admin)"
    ));
    let result = app::serve(app, listener, shutdown).await;
    emulator.shutdown().await;
    result
}
