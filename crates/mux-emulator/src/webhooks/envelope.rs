//! The webhook envelope (docs/mux-facts.md §5.1): `type`, `id`, `created_at` (ISO string), `object`,
//! `environment`, `data` (a snapshot with numeric `created_at`), `attempts`, and the deprecated
//! `request_id`/`accessor`/`accessor_source` as `null`.

use serde_json::{json, Value};

use super::Attempt;

/// One event, as emitted; attempts are added per delivery when the body is built.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub event_type: String,
    pub created_at: String,
    pub object_type: &'static str,
    pub object_id: String,
    pub data: Value,
}

/// Each capture shows `max_attempts: 30` (docs/mux-facts.md §5.3); the emulator reports the same.
const MAX_ATTEMPTS: u32 = 30;

impl Event {
    /// The raw JSON body for an attempt, listing the earlier attempts to the same endpoint.
    pub fn body(&self, environment: &(String, String), url: &str, earlier: &[Attempt]) -> Vec<u8> {
        let attempts: Vec<Value> = earlier
            .iter()
            .map(|a| {
                json!({
                    "id": a.id,
                    "webhook_id": 1,
                    "address": url,
                    "created_at": a.created_at,
                    "response_status_code": a.response_status_code,
                    "response_headers": {},
                    "response_body": a.response_body,
                    "max_attempts": MAX_ATTEMPTS,
                })
            })
            .collect();
        let envelope = json!({
            "type": self.event_type,
            "id": self.id,
            "created_at": self.created_at,
            "object": {"type": self.object_type, "id": self.object_id},
            "environment": {"name": environment.0, "id": environment.1},
            "data": self.data,
            "attempts": attempts,
            "request_id": null,
            "accessor": null,
            "accessor_source": null,
        });
        serde_json::to_vec(&envelope).expect("JSON values serialize")
    }
}
