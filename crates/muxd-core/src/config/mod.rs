//! Every setting muxd reads, typed. The settings themselves (variable, default, meaning) are one
//! table in [`table`]; [`Settings::load`] reads through it and validates everything at once,
//! reporting every problem in one message that names the setting and the fix. Settings come from
//! the process environment, then an optional `.env` file in the working directory (the real
//! environment wins). Secrets are `SecretString`s and the database URL redacts its password, so
//! neither reaches `Debug` output or a log.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use secrecy::SecretString;

/// Which command is starting: each needs a different subset of settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `muxd serve`: real Mux, so credentials and the webhook secret are required.
    Serve,
    /// `muxd dev`: the in-process emulator supplies Mux; nothing is required.
    Dev,
    /// `muxd migrate` and other database-only commands.
    DatabaseOnly,
}

/// All of muxd's settings, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub listen: SocketAddr,
    pub mux: MuxSettings,
    pub webhook: WebhookSettings,
    pub log_format: LogFormat,
    pub identity: IdentitySettings,
    pub uploads: UploadSettings,
    /// How long the reconciler waits for webhooks before it asks Mux (see `Schedule::with_grace`).
    pub reconcile_grace: Duration,
    /// Slack-compatible breaker alerts; a secret, since the URL is the credential.
    pub alert_webhook_url: Option<SecretString>,
    /// Where traces go (OTLP/HTTP); `None` = no traces.
    pub otlp_endpoint: Option<String>,
    pub browser: BrowserSettings,
    pub outbound: OutboundSettings,
    pub bounds: Bounds,
    /// Shutdown bound and retention.
    pub operations: OperationSettings,
}

/// How outbound webhooks (muxd → the host app) behave.
#[derive(Clone, Debug)]
pub struct OutboundSettings {
    /// Whether endpoints may be private, loopback or link-local addresses.
    pub allow_private: bool,
    /// The waits between attempts.
    pub schedule: RetrySchedule,
}

/// How browsers reach muxd's API: the host app's session cookie, and the other origins allowed.
#[derive(Debug, Clone, Default)]
pub struct BrowserSettings {
    /// The host app's cookie holding its session token (same-site deployments).
    pub session_cookie: Option<String>,
    /// Origins (`scheme://host[:port]`) whose pages may call the API with credentials.
    pub cors_origins: Vec<String>,
}

/// How direct uploads are made and played.
#[derive(Debug, Clone)]
pub struct UploadSettings {
    pub cors_origin: String,
    pub playback_policy: String,
    pub stream_base_url: String,
    pub max_upload_bytes: u64,
    /// MIME types (or `type/*`) a client may announce.
    pub types: Vec<String>,
    /// Videos one user may have in one campaign (0: no limit).
    pub per_user_per_campaign: u64,
    /// Longest video kept, in seconds (0: no limit).
    pub max_duration_secs: u64,
    /// Spare direct uploads kept ready (see `pool.rs`); 0 turns the pool off.
    pub pool_size: usize,
    /// The most spares the pool grows to from demand.
    pub pool_max: usize,
    /// Creates one user may make per minute (0: no limit).
    pub per_user_per_minute: u32,
    /// Where thumbnail URLs point.
    pub image_base_url: String,
    /// Whether uploads ask Mux for the `highest` MP4 static rendition.
    pub mp4_renditions: bool,
    /// The video quality and resolution tier a create asks for unless its campaign says otherwise.
    pub encoding: Encoding,
    /// Whether a video may be created from a link to a private address.
    pub allow_private_inputs: bool,
    /// Where Mux reaches this muxd (to fetch supplied caption files), if configured.
    pub public_url: Option<String>,
    /// Whether pages play a video without an MP4 with Mux Player (else a plain `<video>`).
    pub mux_player: bool,
    /// The URL signing key playback tokens are signed with (signed playback).
    pub signing_key: Option<SigningKey>,
}

/// A Mux URL signing key: its id and private key (checked to be an RSA key at start-up).
#[derive(Debug, Clone)]
pub struct SigningKey {
    pub id: String,
    pub private_key: SecretString,
}

/// How muxd reaches Mux. In dev mode the token fields are filled by the emulator.
#[derive(Debug, Clone)]
pub struct MuxSettings {
    pub base_url: String,
    pub token_id: String,
    pub token_secret: SecretString,
}

/// How webhooks are verified and kept.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Every secret that may have signed a webhook (rotation: old and new).
    pub secrets: Vec<SecretString>,
    pub tolerance: Duration,
    pub max_body_bytes: usize,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

/// One or more settings are missing or malformed. `Display` lists each with its fix.
#[derive(Debug, thiserror::Error)]
#[error("muxd cannot start; fix these settings (environment or .env):\n{}", .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct ConfigError(pub Vec<Problem>);

/// One bad setting: which, what is wrong, and how to fix it.
#[derive(Debug)]
pub struct Problem {
    pub setting: &'static str,
    pub problem: String,
    pub fix: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}. Fix: {}", self.setting, self.problem, self.fix)
    }
}

impl Settings {
    /// Reads the process environment (after loading `.env` if present).
    pub fn from_env(mode: Mode) -> Result<Self, ConfigError> {
        // A missing .env is normal; a malformed one is reported by the checks below.
        let _ = dotenvy::dotenv();
        Self::load(&std::env::vars().collect(), mode)
    }

    /// Validates `vars` for `mode`, reporting every problem at once.
    pub fn load(vars: &HashMap<String, String>, mode: Mode) -> Result<Self, ConfigError> {
        let mut read = Reader::new(vars);
        let database_url = read.optional(&table::DATABASE_URL).and_then(|url| {
            DatabaseUrl::parse(&url)
                .map_err(|refused| {
                    read.problems.push(Problem {
                        setting: "DATABASE_URL",
                        problem: refused.problem,
                        fix: refused.fix,
                    })
                })
                .ok()
        });
        let listen = read.parsed(&table::MUXD_LISTEN);
        let tolerance_secs: Option<u64> = read.parsed(&table::MUXD_WEBHOOK_TOLERANCE_SECS);
        let max_body_bytes = read.parsed(&table::MUXD_WEBHOOK_MAX_BODY_BYTES);
        let operations = OperationSettings::read(&mut read);
        let log_format = match read.raw(&table::MUXD_LOG_FORMAT) {
            None if mode == Mode::Serve => Some(LogFormat::Json),
            None => Some(LogFormat::Pretty),
            Some("json") => Some(LogFormat::Json),
            Some("pretty") => Some(LogFormat::Pretty),
            Some(other) => {
                read.problem(
                    &table::MUXD_LOG_FORMAT,
                    format!("{other:?} is not a log format"),
                    "set MUXD_LOG_FORMAT=json or MUXD_LOG_FORMAT=pretty".into(),
                );
                None
            }
        };
        let serve = mode == Mode::Serve;
        let token_id = read.required(&table::MUX_TOKEN_ID, serve);
        let token_secret = read.required(&table::MUX_TOKEN_SECRET, serve);
        let signing_secrets: Vec<SecretString> = read
            .required(&table::MUX_WEBHOOK_SIGNING_SECRET, serve)
            .map(|list| reader::split(&list))
            .unwrap_or_default()
            .into_iter()
            .map(SecretString::from)
            .collect();
        let mut identity = identity::read(&mut read, serve);
        let playback_policy = read
            .optional(&table::MUXD_PLAYBACK_POLICY)
            .unwrap_or_default();
        if !matches!(playback_policy.as_str(), "public" | "signed") {
            read.problem(
                &table::MUXD_PLAYBACK_POLICY,
                format!("{playback_policy:?} is not a playback policy"),
                "set MUXD_PLAYBACK_POLICY=public or MUXD_PLAYBACK_POLICY=signed".into(),
            );
        }
        let pool_size: Option<usize> = read.parsed(&table::MUXD_UPLOAD_POOL_SIZE);
        let pool_max: Option<usize> = read.parsed(&table::MUXD_UPLOAD_POOL_MAX);
        let per_user_per_minute: Option<u32> =
            read.parsed(&table::MUXD_UPLOADS_PER_USER_PER_MINUTE);
        let max_upload_bytes = read.parsed(&table::MUXD_MAX_UPLOAD_BYTES);
        let types = read.list(&table::MUXD_UPLOAD_TYPES);
        let types = match types.is_empty() {
            true => reader::split(table::MUXD_UPLOAD_TYPES.default),
            false => types,
        };
        for kind in &types {
            if !details::is_type_pattern(kind) {
                read.problem(
                    &table::MUXD_UPLOAD_TYPES,
                    format!("{kind:?} is not a MIME type"),
                    format!(
                        "set MUXD_UPLOAD_TYPES to {}",
                        table::MUXD_UPLOAD_TYPES.expected
                    ),
                );
            }
        }
        let per_user_per_campaign: Option<u64> =
            read.parsed(&table::MUXD_UPLOADS_PER_USER_PER_CAMPAIGN);
        let bounds = Bounds::read(&mut read);
        let max_duration_secs: Option<u64> = read.parsed(&table::MUXD_MAX_DURATION_SECS);
        let grace_secs: Option<u64> = read.parsed(&table::MUXD_RECONCILE_GRACE_SECS);
        if grace_secs == Some(0) {
            read.problem(
                &table::MUXD_RECONCILE_GRACE_SECS,
                "0 would poll Mux for every upload before its webhooks could arrive".into(),
                table::MUXD_RECONCILE_GRACE_SECS.expected.into(),
            );
        }
        let base_url = http_url(&mut read, &table::MUX_BASE_URL);
        let stream_base_url = http_url(&mut read, &table::MUXD_STREAM_BASE_URL);
        let image_base_url = http_url(&mut read, &table::MUXD_IMAGE_BASE_URL);
        let mp4_renditions: Option<bool> = read.parsed(&table::MUXD_MP4_RENDITIONS);
        let defaults = Encoding::default();
        let encoding = Encoding {
            quality: read
                .parsed(&table::MUXD_VIDEO_QUALITY)
                .unwrap_or(defaults.quality),
            max_tier: read
                .parsed(&table::MUXD_MAX_RESOLUTION_TIER)
                .unwrap_or(defaults.max_tier),
            captions: read
                .parsed(&table::MUXD_CAPTIONS)
                .unwrap_or(defaults.captions),
        };
        let public_url = optional_http_url(&mut read, &table::MUXD_PUBLIC_URL);
        let private_inputs: Option<bool> = read.parsed(&table::MUXD_INPUT_ALLOW_PRIVATE_URLS);
        let player = read.optional(&table::MUXD_PLAYER).unwrap_or_default();
        if !matches!(player.as_str(), "mux-player" | "video") {
            read.problem(
                &table::MUXD_PLAYER,
                format!("{player:?} is not a player"),
                "set MUXD_PLAYER=mux-player or MUXD_PLAYER=video".into(),
            );
        }
        let signing_key = signing_key(&mut read, serve && playback_policy == "signed");
        let cors_origin = read
            .optional(&table::MUXD_UPLOAD_CORS_ORIGIN)
            .unwrap_or_default();
        let otlp_endpoint = read
            .optional(&table::OTEL_EXPORTER_OTLP_ENDPOINT)
            .map(|_| http_url(&mut read, &table::OTEL_EXPORTER_OTLP_ENDPOINT));
        let browser = BrowserSettings {
            session_cookie: read.optional(&table::MUXD_SESSION_COOKIE),
            cors_origins: read.list(&table::MUXD_CORS_ORIGINS),
        };
        // Clerk puts the page's origin in `azp`: only the app's own pages may present a token.
        identity.authorized_parties = browser.cors_origins.clone();
        for origin in &browser.cors_origins {
            if !is_origin(origin) {
                read.problem(
                    &table::MUXD_CORS_ORIGINS,
                    format!("{origin:?} is not an origin (scheme://host[:port], no path)"),
                    format!(
                        "set MUXD_CORS_ORIGINS to {}",
                        table::MUXD_CORS_ORIGINS.expected
                    ),
                );
            }
        }
        let allow_private: Option<bool> = read.parsed(&table::MUXD_WEBHOOK_ALLOW_PRIVATE_URLS);
        let schedule_text = read
            .optional(&table::MUXD_WEBHOOK_RETRY_SCHEDULE)
            .unwrap_or_default();
        let schedule = RetrySchedule::parse(&schedule_text).unwrap_or_else(|problem| {
            read.problem(
                &table::MUXD_WEBHOOK_RETRY_SCHEDULE,
                problem,
                format!(
                    "set MUXD_WEBHOOK_RETRY_SCHEDULE to {}",
                    table::MUXD_WEBHOOK_RETRY_SCHEDULE.expected
                ),
            );
            RetrySchedule::standard()
        });
        let alert_webhook_url = read
            .optional(&table::MUXD_ALERT_WEBHOOK_URL)
            .map(SecretString::from);

        match (
            read.problems.is_empty(),
            database_url,
            listen,
            tolerance_secs,
            max_body_bytes,
            log_format,
            max_upload_bytes,
        ) {
            (
                true,
                Some(database_url),
                Some(listen),
                Some(tolerance),
                Some(max_body_bytes),
                Some(log_format),
                Some(max_upload_bytes),
            ) => Ok(Settings {
                database_url,
                listen,
                mux: MuxSettings {
                    base_url,
                    token_id: token_id.unwrap_or_default(),
                    token_secret: SecretString::from(token_secret.unwrap_or_default()),
                },
                webhook: WebhookSettings {
                    secrets: signing_secrets,
                    tolerance: Duration::from_secs(tolerance),
                    max_body_bytes,
                },
                log_format,
                identity,
                uploads: UploadSettings {
                    cors_origin,
                    playback_policy,
                    stream_base_url,
                    max_upload_bytes,
                    types,
                    per_user_per_campaign: per_user_per_campaign.unwrap_or_default(),
                    max_duration_secs: max_duration_secs.unwrap_or_default(),
                    pool_size: pool_size.unwrap_or_default(),
                    pool_max: pool_max.unwrap_or_default(),
                    per_user_per_minute: per_user_per_minute.unwrap_or_default(),
                    image_base_url,
                    mp4_renditions: mp4_renditions.unwrap_or_default(),
                    encoding,
                    public_url,
                    allow_private_inputs: private_inputs.unwrap_or_default(),
                    mux_player: player == "mux-player",
                    signing_key,
                },
                reconcile_grace: Duration::from_secs(grace_secs.unwrap_or_default()),
                alert_webhook_url,
                otlp_endpoint,
                browser,
                outbound: OutboundSettings {
                    allow_private: allow_private.unwrap_or_default(),
                    schedule,
                },
                bounds,
                operations,
            }),
            _ => Err(ConfigError(read.problems)),
        }
    }
}

use muxd_domain::details;
use muxd_domain::encoding::Encoding;
use muxd_domain::outbound::RetrySchedule;

mod bounds;
mod identity;
mod operations;
mod reader;
pub mod table;
mod values;

pub use bounds::Bounds;
pub use identity::{Accepted, AdminClaim, IdentitySettings};
pub use muxd_store::{Backend, DatabaseUrl};
pub use operations::OperationSettings;
use reader::Reader;
use values::{http_url, is_origin, optional_http_url, signing_key};

#[cfg(test)]
mod tests;
