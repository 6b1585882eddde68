//! Every setting muxd reads, in one place: its environment variable, default, meaning and check.
//! Settings come from the process environment, then an optional `.env` file in the working
//! directory (real environment wins). [`Settings::load`] validates everything at once and reports
//! every problem in one message that names the setting and the fix; secrets are `SecretString`s
//! and the database URL redacts its password, so neither reaches `Debug` output or a log.

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

/// The documented settings: (variable, default, meaning). README's table is this list.
pub const DOCUMENTED: &[(&str, &str, &str)] = &[
    (
        "DATABASE_URL",
        "sqlite://muxd.db",
        "sqlite://PATH (created if missing) or postgres://USER[:PASSWORD]@HOST[:PORT]/DB",
    ),
    ("MUX_TOKEN_ID", "(required by serve)", "Mux access token id"),
    (
        "MUX_TOKEN_SECRET",
        "(required by serve)",
        "Mux access token secret",
    ),
    (
        "MUX_WEBHOOK_SIGNING_SECRET",
        "(required by serve)",
        "webhook signing secret; a comma-separated list during rotation",
    ),
    (
        "MUX_BASE_URL",
        "https://api.mux.com",
        "Mux API base URL (point it at `muxd emulator` for local work)",
    ),
    (
        "MUXD_LISTEN",
        "127.0.0.1:3000",
        "address muxd's HTTP server binds",
    ),
    (
        "MUXD_WEBHOOK_TOLERANCE_SECS",
        "300",
        "accepted webhook timestamp skew, either way",
    ),
    (
        "MUXD_WEBHOOK_MAX_BODY_BYTES",
        "1048576",
        "largest webhook body accepted (larger gets 413)",
    ),
    (
        "MUXD_WEBHOOK_RETENTION_DAYS",
        "7",
        "how long received webhook events are kept",
    ),
    (
        "MUXD_LOG_FORMAT",
        "pretty (dev) / json (serve)",
        "log output: json or pretty",
    ),
    (
        "MUXD_JWT_JWKS_FILE",
        "(one JWT key required by serve)",
        "JWKS file (e.g. saved from Clerk) of RS256 bearer tokens",
    ),
    (
        "MUXD_JWT_PUBLIC_KEY_FILE",
        "",
        "PEM RSA public key of RS256 bearer tokens",
    ),
    (
        "MUXD_JWT_HS256_SECRET",
        "",
        "shared secret of HS256 bearer tokens",
    ),
    (
        "MUXD_JWT_ISSUER",
        "(unchecked)",
        "required `iss` of bearer tokens",
    ),
    (
        "MUXD_JWT_AUDIENCE",
        "(unchecked)",
        "required `aud` of bearer tokens",
    ),
    (
        "MUXD_ADMIN_IDS",
        "",
        "comma-separated external ids that are admins (besides a `role: admin` claim)",
    ),
    (
        "MUXD_UPLOAD_CORS_ORIGIN",
        "*",
        "origin browsers upload from (the direct upload's cors_origin)",
    ),
    (
        "MUXD_PLAYBACK_POLICY",
        "public",
        "playback policy of new assets: public or signed",
    ),
    (
        "MUXD_STREAM_BASE_URL",
        "https://stream.mux.com",
        "where playback URLs point",
    ),
    (
        "MUXD_MAX_UPLOAD_BYTES",
        "10737418240",
        "largest file size a client may announce",
    ),
    (
        "MUXD_UPLOAD_POOL_SIZE",
        "4",
        "spare direct uploads kept ready for bursts of users (0: off)",
    ),
    (
        "MUXD_ALERT_WEBHOOK_URL",
        "",
        "Slack-compatible webhook told of circuit breaker changes",
    ),
];

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
    pub alert_webhook_url: Option<String>,
}

/// How bearer tokens are checked. In dev mode muxd signs its own HS256 tokens.
#[derive(Debug, Clone, Default)]
pub struct IdentitySettings {
    pub hs256_secret: Option<SecretString>,
    pub public_key_file: Option<String>,
    pub jwks_file: Option<String>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub admin_ids: Vec<String>,
}

/// How direct uploads are made and played.
#[derive(Debug, Clone)]
pub struct UploadSettings {
    pub cors_origin: String,
    pub playback_policy: String,
    pub stream_base_url: String,
    pub max_upload_bytes: u64,
    /// Spare direct uploads kept ready (see `pool.rs`); 0 turns the pool off.
    pub pool_size: usize,
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
    pub retention: Duration,
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
        let mut problems = Vec::new();
        let get = |name: &str| vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());

        let database_url = DatabaseUrl::parse(get("DATABASE_URL").unwrap_or("sqlite://muxd.db"))
            .map_err(|problem| problems.push(problem))
            .ok();
        let listen = parsed(
            &mut problems,
            get("MUXD_LISTEN"),
            "MUXD_LISTEN",
            "127.0.0.1:3000",
            "an address like 127.0.0.1:3000 or 0.0.0.0:8080",
        );
        let tolerance_secs = parsed(
            &mut problems,
            get("MUXD_WEBHOOK_TOLERANCE_SECS"),
            "MUXD_WEBHOOK_TOLERANCE_SECS",
            "300",
            "a whole number of seconds, e.g. 300",
        );
        let max_body_bytes = parsed(
            &mut problems,
            get("MUXD_WEBHOOK_MAX_BODY_BYTES"),
            "MUXD_WEBHOOK_MAX_BODY_BYTES",
            "1048576",
            "a whole number of bytes, e.g. 1048576",
        );
        let retention_days: Option<u64> = parsed(
            &mut problems,
            get("MUXD_WEBHOOK_RETENTION_DAYS"),
            "MUXD_WEBHOOK_RETENTION_DAYS",
            "7",
            "a whole number of days, at least 1",
        );
        if retention_days == Some(0) {
            problems.push(Problem {
                setting: "MUXD_WEBHOOK_RETENTION_DAYS",
                problem: "0 would forget events Mux may still retry".into(),
                fix: "set it to 1 or more (Mux retries for 24 h; 7 is the default)".into(),
            });
        }
        let log_format = match get("MUXD_LOG_FORMAT") {
            None if mode == Mode::Serve => Some(LogFormat::Json),
            None => Some(LogFormat::Pretty),
            Some("json") => Some(LogFormat::Json),
            Some("pretty") => Some(LogFormat::Pretty),
            Some(other) => {
                problems.push(Problem {
                    setting: "MUXD_LOG_FORMAT",
                    problem: format!("{other:?} is not a log format"),
                    fix: "set MUXD_LOG_FORMAT=json or MUXD_LOG_FORMAT=pretty".into(),
                });
                None
            }
        };

        let required = mode == Mode::Serve;
        let mut secret = |name: &'static str, fix: &str| match get(name) {
            Some(value) => Some(value.to_owned()),
            None if required => {
                problems.push(Problem {
                    setting: name,
                    problem: "missing".into(),
                    fix: fix.into(),
                });
                None
            }
            None => None,
        };
        let token_id = secret("MUX_TOKEN_ID",
            "create an access token at dashboard.mux.com → Settings → Access Tokens and set MUX_TOKEN_ID");
        let token_secret = secret(
            "MUX_TOKEN_SECRET",
            "set MUX_TOKEN_SECRET to the secret shown once when the access token was created",
        );
        let signing = secret("MUX_WEBHOOK_SIGNING_SECRET",
            "copy the signing secret from dashboard.mux.com → Settings → Webhooks and set MUX_WEBHOOK_SIGNING_SECRET (comma-separate old,new while rotating)");
        let identity = IdentitySettings {
            hs256_secret: get("MUXD_JWT_HS256_SECRET").map(|s| SecretString::from(s.to_owned())),
            public_key_file: get("MUXD_JWT_PUBLIC_KEY_FILE").map(str::to_owned),
            jwks_file: get("MUXD_JWT_JWKS_FILE").map(str::to_owned),
            issuer: get("MUXD_JWT_ISSUER").map(str::to_owned),
            audience: get("MUXD_JWT_AUDIENCE").map(str::to_owned),
            admin_ids: list(get("MUXD_ADMIN_IDS")),
        };
        if mode == Mode::Serve
            && identity.hs256_secret.is_none()
            && identity.public_key_file.is_none()
            && identity.jwks_file.is_none()
        {
            problems.push(Problem {
                setting: "MUXD_JWT_HS256_SECRET",
                problem: "no way to check bearer tokens is configured".into(),
                fix: "set MUXD_JWT_JWKS_FILE (your identity provider's JWKS), MUXD_JWT_PUBLIC_KEY_FILE (RS256 PEM) or MUXD_JWT_HS256_SECRET".into(),
            });
        }
        let playback_policy = get("MUXD_PLAYBACK_POLICY").unwrap_or("public").to_owned();
        if !matches!(playback_policy.as_str(), "public" | "signed") {
            problems.push(Problem {
                setting: "MUXD_PLAYBACK_POLICY",
                problem: format!("{playback_policy:?} is not a playback policy"),
                fix: "set MUXD_PLAYBACK_POLICY=public or MUXD_PLAYBACK_POLICY=signed".into(),
            });
        }
        let pool_size: Option<usize> = parsed(
            &mut problems,
            get("MUXD_UPLOAD_POOL_SIZE"),
            "MUXD_UPLOAD_POOL_SIZE",
            "4",
            "a whole number of spare uploads, e.g. 4 (0 turns the pool off)",
        );
        let max_upload_bytes = parsed(
            &mut problems,
            get("MUXD_MAX_UPLOAD_BYTES"),
            "MUXD_MAX_UPLOAD_BYTES",
            "10737418240",
            "a whole number of bytes",
        );
        let base_url = get("MUX_BASE_URL")
            .unwrap_or("https://api.mux.com")
            .trim_end_matches('/')
            .to_owned();
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            problems.push(Problem {
                setting: "MUX_BASE_URL",
                problem: format!("{base_url:?} is not an http(s) URL"),
                fix: "unset it for real Mux, or set it to the emulator's URL, e.g. http://127.0.0.1:3017".into(),
            });
        }

        match (
            problems.is_empty(),
            database_url,
            listen,
            tolerance_secs,
            max_body_bytes,
            retention_days,
            log_format,
            max_upload_bytes,
        ) {
            (
                true,
                Some(database_url),
                Some(listen),
                Some(tolerance),
                Some(max_body_bytes),
                Some(days),
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
                    secrets: list(signing.as_deref())
                        .into_iter()
                        .map(SecretString::from)
                        .collect(),
                    tolerance: Duration::from_secs(tolerance),
                    max_body_bytes,
                    retention: Duration::from_secs(days * 86_400),
                },
                log_format,
                identity,
                uploads: UploadSettings {
                    cors_origin: get("MUXD_UPLOAD_CORS_ORIGIN").unwrap_or("*").to_owned(),
                    playback_policy,
                    stream_base_url: get("MUXD_STREAM_BASE_URL")
                        .unwrap_or("https://stream.mux.com")
                        .trim_end_matches('/')
                        .to_owned(),
                    max_upload_bytes,
                    pool_size: pool_size.unwrap_or_default(),
                },
                alert_webhook_url: get("MUXD_ALERT_WEBHOOK_URL").map(str::to_owned),
            }),
            _ => Err(ConfigError(problems)),
        }
    }
}

/// Splits a comma-separated list, dropping blanks.
fn list(raw: Option<&str>) -> Vec<String> {
    raw.into_iter()
        .flat_map(|list| list.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parsed<T: std::str::FromStr>(
    problems: &mut Vec<Problem>,
    raw: Option<&str>,
    setting: &'static str,
    default: &str,
    expected: &str,
) -> Option<T> {
    let text = raw.unwrap_or(default);
    text.parse()
        .map_err(|_| {
            problems.push(Problem {
                setting,
                problem: format!("{text:?} is not {expected}"),
                fix: format!("set {setting} to {expected}, or unset it for the default {default}"),
            })
        })
        .ok()
}

mod database_url;

pub use database_url::{Backend, DatabaseUrl};

#[cfg(test)]
mod tests;
