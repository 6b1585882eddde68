//! One breaker transition as the outside sees it: what subscribers, health and the alert hook get.

use std::time::SystemTime;

use serde::Serialize;

use super::breaker::BreakerState;

/// One real state change of the breaker, as subscribers and the alert hook see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BreakerEvent {
    pub from: BreakerState,
    pub to: BreakerState,
    /// Wall-clock time of the change, Unix milliseconds.
    pub at_unix_ms: u64,
    /// When it opened: how long it will reject calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

impl BreakerEvent {
    /// One line for logs and chat alerts.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "Mux circuit breaker {} → {}",
            self.from.as_str(),
            self.to.as_str()
        );
        match (self.to, self.retry_after_ms) {
            (BreakerState::Open, Some(ms)) => {
                text.push_str(&format!(
                    ": calls to Mux are rejected for {} s",
                    ms.div_ceil(1000)
                ));
            }
            (BreakerState::HalfOpen, _) => text.push_str(": probing Mux"),
            (BreakerState::Closed, _) => text.push_str(": Mux calls back to normal"),
            _ => {}
        }
        text
    }
}

pub(crate) fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
