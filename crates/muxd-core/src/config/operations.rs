//! How a running instance looks after itself: how long it may take to shut down, and how long
//! each table that grows with traffic keeps its rows (received webhooks, asset history, outbound
//! messages with their deliveries and attempts). Read as one section of the settings.

use std::time::Duration;

use super::reader::Reader;
use super::table;

/// How long rows are kept, and how long a shutdown may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationSettings {
    /// The bound on a shutdown: from SIGTERM to exit.
    pub shutdown_grace: Duration,
    /// Received Mux webhooks.
    pub webhook_retention: Duration,
    /// Asset history (`asset_events`); `None` keeps it forever.
    pub history_retention: Option<Duration>,
    /// Outbound messages, deliveries and attempts that are finished; `None` keeps them forever.
    pub outbound_retention: Option<Duration>,
}

const DAY: u64 = 86_400;

impl OperationSettings {
    /// Reads the section, recording problems in `read` (the settings are then refused, so what
    /// stands in for a bad value here is never used).
    pub(super) fn read(read: &mut Reader<'_>) -> OperationSettings {
        let grace: Option<u64> = read.parsed(&table::MUXD_SHUTDOWN_GRACE_SECS);
        if grace == Some(0) {
            read.problem(
                &table::MUXD_SHUTDOWN_GRACE_SECS,
                "0 would cut every request in flight at each restart".into(),
                table::MUXD_SHUTDOWN_GRACE_SECS.expected.into(),
            );
        }
        let webhooks: Option<u64> = read.parsed(&table::MUXD_WEBHOOK_RETENTION_DAYS);
        if webhooks == Some(0) {
            read.problem(
                &table::MUXD_WEBHOOK_RETENTION_DAYS,
                "0 would forget events Mux may still retry".into(),
                "set it to 1 or more (Mux retries for 24 h; 7 is the default)".into(),
            );
        }
        let history: Option<u64> = read.parsed(&table::MUXD_HISTORY_RETENTION_DAYS);
        let outbound: Option<u64> = read.parsed(&table::MUXD_OUTBOUND_RETENTION_DAYS);
        let days = |n: u64| Duration::from_secs(n * DAY);
        // 0 keeps rows forever.
        let kept = |n: Option<u64>| n.filter(|n| *n > 0).map(days);
        OperationSettings {
            shutdown_grace: Duration::from_secs(grace.unwrap_or_default()),
            webhook_retention: days(webhooks.unwrap_or_default()),
            history_retention: kept(history),
            outbound_retention: kept(outbound),
        }
    }
}
