//! `muxd dev`: the embedded default. SQLite in the working directory, the Mux emulator in-process
//! with its webhooks pointed at this muxd (real signatures), a demo user, admin, campaign and
//! influencers ([`seed`]), a dev-only sign-in route ([`login`]), and the URL to open printed.
//! No credentials, no network; only requests addressed to this machine are answered ([`host`]).
//! Production state knows nothing of the demo.

pub mod host;
pub mod login;
pub mod seed;

use std::future::Future;
use std::path::Path;

use anyhow::Context;
use mux_api::{MuxClient, PlaybackPolicy};
use mux_emulator::EmulatorConfig;
use rand::RngCore;
use secrecy::SecretString;
use tokio::net::TcpListener;

use crate::app::{self, App, Wiring};
use muxd_core::config::{Player, Settings, SigningKey};
use muxd_core::identity::Identity;
use muxd_domain::schedule::Schedule;
use muxd_store::Store;

/// The emulator's data directory, beside the SQLite database.
pub const EMULATOR_DIR: &str = "muxd-emulator";

/// A new URL signing key made on the emulator, so `MUXD_PLAYBACK_POLICY=signed` works in dev
/// with no key configured.
async fn signing_key(settings: &Settings) -> anyhow::Result<SigningKey> {
    let mux = MuxClient::new(app::mux_config(settings)).context("building the Mux client")?;
    let key = mux
        .create_signing_key()
        .await
        .context("making a URL signing key on the emulator")?;
    let private_key = key
        .private_key
        .context("the emulator's new signing key came without its private key")?;
    Ok(SigningKey {
        id: key.id,
        private_key: SecretString::from(private_key),
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
    // The emulator keeps its state and media beside the database, so a restart in the same
    // folder still knows (and plays) earlier uploads, and never hands out an id again.
    let data_dir = settings
        .database_url
        .sqlite_path()
        .and_then(|db| db.parent().map(Path::to_path_buf))
        .unwrap_or_default()
        .join(EMULATOR_DIR);
    let emulator = mux_emulator::start_on_ephemeral_port(EmulatorConfig {
        webhook_urls: vec![format!("{base}/api/webhooks/mux")],
        signing_secret: signing_secret.clone(),
        data_dir: Some(data_dir),
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
    settings.uploads.image_base_url = format!("{}/image", emulator.base_url());
    // Offline: the emulator's MP4 plays in a plain `<video>`; Mux Player cannot load.
    settings.uploads.mp4_renditions = true;
    settings.uploads.player = Player::Video;
    // A link to a file served on this machine (or the LAN) is what trying links out looks like.
    settings.uploads.allow_private_inputs = true;
    // The emulator fetches supplied caption files from here.
    settings.uploads.public_url = Some(base.clone());
    if settings.uploads.playback_policy == PlaybackPolicy::Signed
        && settings.uploads.signing_key.is_none()
    {
        settings.uploads.signing_key = Some(signing_key(&settings).await?);
    }
    settings.uploads.cors_origin = base.clone();
    let store = Store::connect(&settings.database_url).await?;
    store.migrate().await?;
    // The emulator listens on a new port each run: point earlier playback URLs at it.
    store
        .rebase_playback_urls(&settings.uploads.stream_base_url)
        .await?;
    let demo = seed::seed(&store).await?;
    let campaign = demo.campaign_id;
    let wiring = Wiring {
        identity: Identity::dev(&secret),
        mux: app::mux_config(&settings),
        reconcile: Some(Schedule::with_grace(settings.reconcile_grace)),
    };
    let app = App::build(&settings, store, wiring)?;
    let router = app
        .router(login::routes(demo, app.identity.clone()))
        .layer(axum::middleware::from_fn(host::loopback_only));
    on_ready(&format!(
        "{base}/dev/login?as=user (then /campaigns/{campaign}/content; admin: /dev/login?as=admin)"
    ));
    let result = app::serve(app, router, listener, shutdown).await;
    emulator.shutdown().await;
    result
}
