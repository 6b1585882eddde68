//! `TestApp`: a real muxd on `127.0.0.1:0` in front of a fresh database (SQLite or PostgreSQL)
//! and an in-process Mux emulator whose webhooks point at it; `app_test!` runs a test on both
//! backends. The ways to start one are in [`spawn`]; its requests, one helper per endpoint, in
//! [`requests`]; a second instance on its database in [`instances`].

use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use mux_emulator::{EmulatorConfig, EmulatorHandle};
use muxd::app::{self, App, Wiring};
use muxd::dev::{login, seed, seed::Demo};
use muxd_core::config::{DatabaseUrl, Mode, Settings};
use muxd_core::identity::Identity;
use muxd_store::Store;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use self::instances::test_mux_config;
use crate::databases::{sqlite_store, PgDatabase, TempDir};
use crate::proxy::ChaosProxy;

mod instances;
mod requests;
mod spawn;

pub use requests::now_secs;

/// The issuer of the identity provider's tokens in tests that check tokens as `serve` does.
pub const ISSUER: &str = "https://identity.example.test";
/// The audience of those tokens.
pub const AUDIENCE: &str = "muxd-tests";

pub const SIGNING_SECRET: &str = "whsec_test_current";
pub const OLD_SIGNING_SECRET: &str = "whsec_test_previous";
pub const JWT_SECRET: &[u8] = b"test-jwt-secret";
/// How long the emulator takes to process an upload unless a test asks otherwise.
const PROCESSING_DELAY: Duration = Duration::from_millis(50);

/// Defines `mod $name { sqlite, postgres }` running `$body(TestApp)` on each backend; with
/// `spawn = f`, the app is `f(backend)` (e.g. [`TestApp::spawn_with_processing_delay`]) instead of
/// [`TestApp::spawn`].
#[macro_export]
macro_rules! app_test {
    ($name:ident, spawn = $spawn:expr, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = ($spawn)($crate::app::Backend::Sqlite).await;
                if let Some(app) = app {
                    ($body)(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = ($spawn)($crate::app::Backend::Postgres).await;
                if let Some(app) = app {
                    ($body)(app).await;
                }
            }
        }
    };
    ($name:ident, $body:expr) => {
        $crate::app_test!($name, spawn = $crate::app::TestApp::spawn, $body);
    };
}

/// A URL signing key made through the emulator's API, as an operator makes one on Mux: (id,
/// private key).
pub async fn signing_key(emulator: &EmulatorHandle) -> (String, String) {
    let defaults = EmulatorConfig::default();
    let made: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/system/v1/signing-keys", emulator.base_url()))
        .basic_auth(&defaults.token_id, Some(&defaults.token_secret))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = |key: &str| made["data"][key].as_str().unwrap().to_owned();
    (text("id"), text("private_key"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub store: Store,
    pub emulator: EmulatorHandle,
    pub http: reqwest::Client,
    /// Signs the tokens of `TestApp::token`.
    pub identity: Identity,
    /// `muxd dev`'s demo data, when spawned with [`TestApp::spawn_dev`].
    pub demo: Option<Demo>,
    shutdown: CancellationToken,
    _sqlite: Option<TempDir>,
    pg: Option<PgDatabase>,
    /// Between muxd and PostgreSQL, when spawned with [`TestApp::spawn_behind_proxy`].
    pub proxy: Option<ChaosProxy>,
    /// The settings muxd was built with (for [`TestApp::another_instance`]).
    settings: Settings,
}

/// The host app's origin every test app allows (CORS, cookie-authenticated writes).
pub const APP_ORIGIN: &str = "https://app.example.test";
/// The host app's session cookie every test app accepts.
pub const HOST_SESSION_COOKIE: &str = "__session";
/// The HS256 secret of [`TestApp::spawn_with_serve_identity`] (unless a test sets another key):
/// tests that check tokens as `serve` does sign with it, for [`ISSUER`] and [`AUDIENCE`].
pub const SERVE_HS256_SECRET: &str = "serve-identity-test-secret-of-32-bytes";

/// What the ways of spawning a [`TestApp`] vary.
pub struct Options<'a> {
    pub backend: Backend,
    /// PostgreSQL reached through a [`ChaosProxy`].
    pub behind_proxy: bool,
    /// Mux calls paced as in production.
    pub paced: bool,
    pub pool_size: usize,
    pub processing_delay: Duration,
    /// Settings besides the test defaults.
    pub settings: &'a [(&'a str, &'a str)],
    /// `muxd dev`'s demo data and sign-in route.
    pub dev: bool,
    /// Tokens checked as `muxd serve` checks them (from `settings`, e.g. a JWKS URL) rather than
    /// with the test secret [`TestApp::token`] signs with.
    pub serve_identity: bool,
}

impl Options<'_> {
    pub fn new(backend: Backend) -> Self {
        Options {
            backend,
            behind_proxy: false,
            paced: false,
            pool_size: 0,
            processing_delay: PROCESSING_DELAY,
            settings: &[],
            dev: false,
            serve_identity: false,
        }
    }
}

impl TestApp {
    pub async fn spawn_with(options: Options<'_>) -> Option<TestApp> {
        let Options {
            backend,
            behind_proxy,
            paced,
            pool_size,
            processing_delay,
            settings,
            dev,
            serve_identity,
        } = options;
        let (store, sqlite, pg, proxy) = match backend {
            Backend::Sqlite => {
                let (store, dir) = sqlite_store().await;
                (store, Some(dir), None, None)
            }
            Backend::Postgres => {
                let db = PgDatabase::create().await?;
                let mut url = db.url.clone();
                let mut proxy = None;
                if behind_proxy {
                    let (authority, rewritten) = authority_of(db.url.expose());
                    let upstream = tokio::net::lookup_host(authority)
                        .await
                        .unwrap()
                        .next()
                        .unwrap();
                    let chaos = ChaosProxy::start(upstream).await;
                    url = DatabaseUrl::parse(&rewritten.replace("{}", &chaos.addr.to_string()))
                        .unwrap();
                    proxy = Some(chaos);
                }
                let store = Store::connect(&url).await.expect("postgres connects");
                store.migrate().await.expect("postgres migrates");
                (store, None, Some(db), proxy)
            }
        };
        let emulator = mux_emulator::start_on_ephemeral_port(EmulatorConfig {
            signing_secret: SIGNING_SECRET.into(),
            processing_delay,
            webhook_time_scale: 0.001,
            allow_private_inputs: true,
            text_track_delay: Duration::from_millis(100),
            transcripts: transcripts(),
            ..EmulatorConfig::default()
        })
        .await
        .expect("emulator starts");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        // Before muxd starts (its jobs may call Mux at once, e.g. filling the spare-upload pool):
        // an event Mux emits while no URL is set is sent nowhere. Until `serve` accepts, the
        // bound listener holds early deliveries in its backlog.
        emulator.set_webhook_urls(vec![format!("{base}/api/webhooks/mux")]);
        let defaults = EmulatorConfig::default();
        let mut vars: HashMap<String, String> = [
            ("MUX_TOKEN_ID", defaults.token_id.as_str()),
            ("MUX_TOKEN_SECRET", defaults.token_secret.as_str()),
            (
                "MUX_WEBHOOK_SIGNING_SECRET",
                &format!("{OLD_SIGNING_SECRET},{SIGNING_SECRET}"),
            ),
            ("MUX_BASE_URL", &emulator.base_url()),
            (
                "MUXD_STREAM_BASE_URL",
                &format!("{}/stream", emulator.base_url()),
            ),
            // As `muxd dev`: the emulator's MP4 plays in a plain `<video>`.
            ("MUXD_MP4_RENDITIONS", "true"),
            ("MUXD_PLAYER", "video"),
            // Links in tests point at servers on 127.0.0.1.
            ("MUXD_INPUT_ALLOW_PRIVATE_URLS", "true"),
            // The emulator fetches supplied caption files from here.
            ("MUXD_PUBLIC_URL", &base),
            (
                "MUXD_IMAGE_BASE_URL",
                &format!("{}/image", emulator.base_url()),
            ),
            ("MUXD_JWT_HS256_SECRET", SERVE_HS256_SECRET),
            ("MUXD_JWT_ISSUER", ISSUER),
            ("MUXD_JWT_AUDIENCE", AUDIENCE),
            ("MUXD_WEBHOOK_MAX_BODY_BYTES", "65536"),
            ("MUXD_UPLOAD_POOL_SIZE", &pool_size.to_string()),
            ("MUXD_CORS_ORIGINS", APP_ORIGIN),
            ("MUXD_SESSION_COOKIE", HOST_SESSION_COOKIE),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        vars.extend(
            settings
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        if vars.get("MUXD_PLAYBACK_POLICY").map(String::as_str) == Some("signed")
            && !vars.contains_key("MUX_SIGNING_KEY_ID")
        {
            let (id, private_key) = signing_key(&emulator).await;
            vars.insert("MUX_SIGNING_KEY_ID".into(), id);
            vars.insert("MUX_SIGNING_PRIVATE_KEY".into(), private_key);
        }
        let settings = Settings::load(&vars, Mode::Serve).expect("test settings are valid");
        let mux = test_mux_config(&settings, paced);
        let identity = match serve_identity {
            true => Identity::from_settings(&settings.identity)
                .await
                .expect("the identity settings work"),
            false => Identity::dev(JWT_SECRET),
        };
        let wiring = Wiring {
            identity,
            mux,
            reconcile: None,
        };
        let app = App::build(&settings, store.clone(), wiring).expect("app builds");
        let (demo, extra) = if dev {
            let demo = seed::seed(&store).await.expect("demo data seeds");
            let routes = login::routes(demo.clone(), app.identity.clone());
            (Some(demo), routes)
        } else {
            (None, Router::new())
        };
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone();
        tokio::spawn(app::serve(
            app.clone(),
            app.router(extra),
            listener,
            async move { stop.cancelled().await },
        ));
        Some(TestApp {
            base,
            app,
            store,
            emulator,
            http: reqwest::Client::new(),
            identity: Identity::dev(JWT_SECRET),
            demo,
            shutdown,
            _sqlite: sqlite,
            pg,
            proxy,
            settings,
        })
    }
}

/// What the emulator's generated captions say for each fixture, from the fixtures' manifest.
pub fn transcripts() -> mux_emulator::transcripts::Transcripts {
    let text = std::fs::read_to_string(format!(
        "{}/../../fixtures/media/manifest.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    mux_emulator::transcripts::from_manifest(&text).expect("the manifest's transcripts")
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// `host:port` of a PostgreSQL URL, and the URL with `{}` in its place.
fn authority_of(url: &str) -> (String, String) {
    let after_scheme = url.split_once("://").unwrap().1;
    let host_start = after_scheme.find('@').map_or(0, |at| at + 1);
    let host_end = after_scheme.find('/').unwrap();
    let authority = &after_scheme[host_start..host_end];
    let authority = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:5432")
    };
    let scheme_len = url.len() - after_scheme.len();
    let rewritten = format!(
        "{}{{}}{}",
        &url[..scheme_len + host_start],
        &after_scheme[host_end..]
    );
    (authority, rewritten)
}
