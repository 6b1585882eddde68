//! `muxd doctor`: the guide's 30-second health check as a command. It checks the settings, how
//! bearer tokens are checked (an issuer or audience of `*` is a warning), the database, the Mux
//! credentials (one cheap GET), the webhook secret and recent webhook deliveries, and prints each
//! finding with its fix. Warnings do not fail it. It changes nothing.

use std::fmt;
use std::time::Duration;

use mux_api::{ErrorKind, ListAssetsParams, MuxClient};

use crate::app;
use muxd_core::config::{Accepted, IdentitySettings, Mode, Settings};
use muxd_store::webhooks::WebhookFilter;
use muxd_store::{now_ms, Store};

/// How long the Mux credential check may take.
const MUX_CHECK_TIMEOUT: Duration = Duration::from_secs(10);
/// Webhooks older than this do not count as "recent".
const RECENT_WEBHOOK_MS: i64 = 24 * 3600 * 1000;

/// How a finding bears on running muxd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    /// Works, but is probably not what the operator wants (it does not fail `doctor`).
    Warning,
    Failed,
}

/// One finding.
#[derive(Debug)]
pub struct Check {
    pub name: &'static str,
    pub level: Level,
    pub detail: String,
    pub fix: Option<String>,
}

/// Everything `doctor` found.
#[derive(Debug, Default)]
pub struct Report(pub Vec<Check>);

impl Report {
    /// No check failed (warnings allowed).
    pub fn ok(&self) -> bool {
        self.0.iter().all(|c| c.level != Level::Failed)
    }

    fn push(&mut self, name: &'static str, result: Result<String, (String, String)>) {
        self.0.push(match result {
            Ok(detail) => Check {
                name,
                level: Level::Ok,
                detail,
                fix: None,
            },
            Err((detail, fix)) => Check {
                name,
                level: Level::Failed,
                detail,
                fix: Some(fix),
            },
        });
    }

    fn warn(&mut self, name: &'static str, detail: String, fix: String) {
        self.0.push(Check {
            name,
            level: Level::Warning,
            detail,
            fix: Some(fix),
        });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for check in &self.0 {
            writeln!(
                f,
                "[{}] {}: {}",
                match check.level {
                    Level::Ok => " ok ",
                    Level::Warning => "warn",
                    Level::Failed => "FAIL",
                },
                check.name,
                check.detail
            )?;
            if let Some(fix) = &check.fix {
                writeln!(f, "       fix: {fix}")?;
            }
        }
        writeln!(
            f,
            "{}",
            if self.0.iter().all(|c| c.level == Level::Ok) {
                "All checks passed."
            } else if self.ok() {
                "All checks passed, with warnings."
            } else {
                "Some checks failed."
            }
        )
    }
}

/// Runs every check against the environment's settings.
pub async fn run() -> Report {
    let mut report = Report::default();
    let settings = match Settings::from_env(Mode::Serve) {
        Ok(settings) => {
            report.push(
                "settings",
                Ok("all required settings present and valid".into()),
            );
            settings
        }
        Err(error) => {
            for problem in &error.0 {
                report.push(
                    "settings",
                    Err((
                        format!("{}: {}", problem.setting, problem.problem),
                        problem.fix.clone(),
                    )),
                );
            }
            // Carry on with whatever can be checked without the missing settings.
            match Settings::from_env(Mode::Dev) {
                Ok(settings) => settings,
                Err(_) => return report,
            }
        }
    };
    check_identity(&mut report, &settings.identity);
    let store = check_database(&mut report, &settings).await;
    check_mux(&mut report, &settings).await;
    report.push(
        "webhook secret",
        if settings.webhook.secrets.is_empty() {
            Err((
                "MUX_WEBHOOK_SIGNING_SECRET is not set, so every webhook would be refused".into(),
                "copy it from dashboard.mux.com → Settings → Webhooks".into(),
            ))
        } else {
            Ok(format!(
                "{} secret(s) configured",
                settings.webhook.secrets.len()
            ))
        },
    );
    if let Some(store) = store {
        check_webhooks(&mut report, &store).await;
    }
    report
}

/// Warns of an issuer or audience of `*` (reported with the settings when missing).
fn check_identity(report: &mut Report, identity: &IdentitySettings) {
    let (Some(issuer), Some(audience)) = (&identity.issuer, &identity.audience) else {
        return;
    };
    let mut checked = Vec::new();
    for (setting, accepted, what) in [
        ("MUXD_JWT_ISSUER", issuer, "issuer (`iss`)"),
        ("MUXD_JWT_AUDIENCE", audience, "audience (`aud`)"),
    ] {
        match accepted {
            Accepted::Any => report.warn(
                "bearer tokens",
                format!("{setting} is `*`: tokens naming any {what} are accepted, so a token your identity provider minted for another service signs into muxd"),
                format!("set {setting} to the {what} your identity provider puts in muxd's tokens"),
            ),
            Accepted::Only(value) => checked.push(format!("{what} {value}")),
        }
    }
    if checked.len() == 2 {
        report.push(
            "bearer tokens",
            Ok(format!("{} checked", checked.join(" and "))),
        );
    }
}

async fn check_database(report: &mut Report, settings: &Settings) -> Option<Store> {
    let store = match Store::connect(&settings.database_url).await {
        Ok(store) => store,
        Err(error) => {
            report.push(
                "database",
                Err((
                    format!("{error:#}"),
                    "check DATABASE_URL and that the server is running".into(),
                )),
            );
            return None;
        }
    };
    let applied = store.applied_migrations().await;
    report.push(
        "database",
        match applied {
            Ok(n) if n > 0 => Ok(format!(
                "{} reachable, {n} migration(s) applied",
                settings.database_url
            )),
            _ => Err((
                format!("{} reachable but not migrated", settings.database_url),
                "run `muxd migrate`".into(),
            )),
        },
    );
    Some(store)
}

async fn check_mux(report: &mut Report, settings: &Settings) {
    let client = match MuxClient::new(app::mux_config(settings)) {
        Ok(client) => client.with_timeout(MUX_CHECK_TIMEOUT),
        Err(error) => {
            report.push(
                "mux credentials",
                Err((error.to_string(), "check MUX_BASE_URL".into())),
            );
            return;
        }
    };
    let result = client
        .list_assets(&ListAssetsParams {
            limit: Some(1),
            ..Default::default()
        })
        .await;
    report.push(
        "mux credentials",
        match result {
            Ok(_) => Ok(format!("token accepted by {}", settings.mux.base_url)),
            Err(error) if error.status() == Some(401) => Err((
                "Mux refused the access token (401)".into(),
                "check MUX_TOKEN_ID/MUX_TOKEN_SECRET belong to the right environment and have Video read/write".into(),
            )),
            Err(error) if error.kind() == ErrorKind::Permanent => {
                Err((error.to_string(), "check the token's permissions (Video: Read and Write)".into()))
            }
            Err(error) => Err((
                format!("could not reach Mux at {}: {error}", settings.mux.base_url),
                "check the network and MUX_BASE_URL; see status.mux.com".into(),
            )),
        },
    );
}

async fn check_webhooks(report: &mut Report, store: &Store) {
    let latest = store
        .webhook_events(&WebhookFilter {
            limit: 1,
            ..Default::default()
        })
        .await;
    let in_flight: i64 = store
        .health_figures(now_ms())
        .await
        .map(|f| f.in_flight.iter().map(|(_, n)| n).sum())
        .unwrap_or(0);
    report.push(
        "webhook deliveries",
        match latest {
            Ok(events) => match events.first() {
                Some(event) if now_ms() - event.received_at < RECENT_WEBHOOK_MS => {
                    Ok(format!("last delivery {} ({})", muxd_domain::time::rfc3339(event.received_at), event.event_type))
                }
                _ if in_flight == 0 => Ok("none recently, and no upload is waiting on one".into()),
                _ => Err((
                    format!("no webhook in 24 h while {in_flight} upload(s) are in flight"),
                    "in dashboard.mux.com → Settings → Webhooks, point the environment's webhook at https://<your host>/api/webhooks/mux".into(),
                )),
            },
            Err(error) => Err((error.to_string(), "check the database".into())),
        },
    );
}
