//! Who may call muxd from elsewhere: browsers (the host app's session cookie and the origins whose
//! pages may call the API with credentials) and the host app's own endpoints (outbound webhooks:
//! whether they may be private addresses, and the retry schedule). Read as one section.

use muxd_domain::outbound::RetrySchedule;

use super::reader::Reader;
use super::table;
use super::values::is_origin;

/// How browsers reach muxd's API: the host app's session cookie, and the other origins allowed.
#[derive(Debug, Clone, Default)]
pub struct BrowserSettings {
    /// The host app's cookie holding its session token (same-site deployments).
    pub session_cookie: Option<String>,
    /// Origins (`scheme://host[:port]`) whose pages may call the API with credentials.
    pub cors_origins: Vec<String>,
}

/// How outbound webhooks (muxd → the host app) behave.
#[derive(Clone, Debug)]
pub struct OutboundSettings {
    /// Whether endpoints may be private, loopback or link-local addresses.
    pub allow_private: bool,
    /// The waits between attempts.
    pub schedule: RetrySchedule,
}

impl BrowserSettings {
    /// Reads the section; each origin must be `scheme://host[:port]`.
    pub(super) fn read(read: &mut Reader<'_>) -> BrowserSettings {
        let browser = BrowserSettings {
            session_cookie: read.optional(&table::MUXD_SESSION_COOKIE),
            cors_origins: read.list(&table::MUXD_CORS_ORIGINS),
        };
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
        browser
    }
}

impl OutboundSettings {
    /// Reads the section; a schedule that does not parse is a problem.
    pub(super) fn read(read: &mut Reader<'_>) -> OutboundSettings {
        let allow_private: Option<bool> = read.parsed(&table::MUXD_WEBHOOK_ALLOW_PRIVATE_URLS);
        let text = read
            .optional(&table::MUXD_WEBHOOK_RETRY_SCHEDULE)
            .unwrap_or_default();
        let schedule = RetrySchedule::parse(&text).unwrap_or_else(|problem| {
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
        OutboundSettings {
            allow_private: allow_private.unwrap_or_default(),
            schedule,
        }
    }
}
