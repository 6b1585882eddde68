//! A log of every request that reached the emulator outside the control API, so a client's test
//! can prove what it sent (e.g. "nothing reached Mux while the breaker was open").

use std::sync::Mutex;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedRequest {
    /// Unix milliseconds (emulator clock) when the request arrived.
    pub at_ms: u64,
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// `None` when the connection was dropped by a fault.
    pub status: Option<u16>,
    /// The W3C `traceparent` header the client sent, if any (proves trace propagation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
}

#[derive(Default)]
pub struct RequestLog {
    entries: Mutex<Vec<LoggedRequest>>,
}

impl RequestLog {
    pub fn push(&self, entry: LoggedRequest) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(entry);
    }

    pub fn entries(&self) -> Vec<LoggedRequest> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}
