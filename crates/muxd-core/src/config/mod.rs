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

    /// Validates `vars` for `mode`, reporting every problem at once: each section reads its own
    /// settings, and the whole is refused if any was wrong.
    pub fn load(vars: &HashMap<String, String>, mode: Mode) -> Result<Self, ConfigError> {
        let mut read = Reader::new(vars);
        let serve = mode == Mode::Serve;
        let database_url = database_url(&mut read);
        let listen = read.parsed(&table::MUXD_LISTEN);
        let log_format = log_format(&mut read, mode);
        let mux = MuxSettings::read(&mut read, serve);
        let webhook = WebhookSettings::read(&mut read, serve);
        let mut identity = identity::read(&mut read, serve);
        let uploads = UploadSettings::read(&mut read, serve);
        let bounds = Bounds::read(&mut read);
        let grace_secs: Option<u64> = read.parsed(&table::MUXD_RECONCILE_GRACE_SECS);
        if grace_secs == Some(0) {
            read.problem(
                &table::MUXD_RECONCILE_GRACE_SECS,
                "0 would poll Mux for every upload before its webhooks could arrive".into(),
                table::MUXD_RECONCILE_GRACE_SECS.expected.into(),
            );
        }
        let otlp_endpoint = read
            .optional(&table::OTEL_EXPORTER_OTLP_ENDPOINT)
            .map(|_| http_url(&mut read, &table::OTEL_EXPORTER_OTLP_ENDPOINT));
        let browser = BrowserSettings::read(&mut read);
        // Clerk puts the page's origin in `azp`: only the app's own pages may present a token.
        identity.authorized_parties = browser.cors_origins.clone();
        let outbound = OutboundSettings::read(&mut read);
        let operations = OperationSettings::read(&mut read);
        let alert_webhook_url = read
            .optional(&table::MUXD_ALERT_WEBHOOK_URL)
            .map(SecretString::from);
        let (
            true,
            Some(database_url),
            Some(listen),
            Some(log_format),
            Some(webhook),
            Some(uploads),
        ) = (
            read.problems.is_empty(),
            database_url,
            listen,
            log_format,
            webhook,
            uploads,
        )
        else {
            return Err(ConfigError(read.problems));
        };
        Ok(Settings {
            database_url,
            listen,
            mux,
            webhook,
            log_format,
            identity,
            uploads,
            reconcile_grace: Duration::from_secs(grace_secs.unwrap_or_default()),
            alert_webhook_url,
            otlp_endpoint,
            browser,
            outbound,
            bounds,
            operations,
        })
    }
}

/// `DATABASE_URL`, checked to select a backend and name a database.
fn database_url(read: &mut Reader<'_>) -> Option<DatabaseUrl> {
    let url = read.optional(&table::DATABASE_URL)?;
    DatabaseUrl::parse(&url)
        .map_err(|refused| {
            read.problems.push(Problem {
                setting: table::DATABASE_URL.name,
                problem: refused.problem,
                fix: refused.fix,
            })
        })
        .ok()
}

/// `MUXD_LOG_FORMAT`: JSON by default for `muxd serve`, else pretty.
fn log_format(read: &mut Reader<'_>, mode: Mode) -> Option<LogFormat> {
    match read.raw(&table::MUXD_LOG_FORMAT) {
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
    }
}

mod bounds;
mod browser;
mod identity;
mod mux;
mod operations;
mod reader;
pub mod table;
mod uploads;
mod values;

pub use bounds::Bounds;
pub use browser::{BrowserSettings, OutboundSettings};
pub use identity::{Accepted, AdminClaim, IdentitySettings};
pub use mux::{MuxSettings, WebhookSettings};
pub use muxd_store::{Backend, DatabaseUrl};
pub use operations::OperationSettings;
use reader::Reader;
pub use uploads::{Player, SigningKey, UploadSettings};
use values::http_url;

#[cfg(test)]
mod tests;
