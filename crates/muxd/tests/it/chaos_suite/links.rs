//! Videos from links in the chaos suite: the workload asks muxd to make a video from a link to a
//! fixture on the suite's file server (good or broken), retrying as an app would on 503, 429 and
//! lost connections. The invariants treat such a row like any other: its status must equal what
//! Mux made of its asset (READY, or ERROR for a file Mux cannot read), with no upload behind it.

use std::time::Duration;

use serde_json::{json, Value};

use super::invariants::{Check, Row};
use super::workload::{Clients, Seen};
use crate::media::manifest;

impl Clients {
    /// Creates a video from a link to `file`.
    pub async fn link(&self, user: usize, file: &str) {
        let url = format!("{}/files/{file}", self.files);
        for _ in 0..12 {
            let response = self
                .http
                .post(format!("{}/api/mux/create-video-from-url", self.muxd))
                .bearer_auth(self.token(user))
                .json(&json!({"url": url}))
                .send()
                .await;
            let Ok(response) = response else {
                self.record("link", None);
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            };
            let status = response.status().as_u16();
            self.record("link", Some(status));
            if status == 201 {
                let body: Value = response.json().await.unwrap_or_default();
                let id = body["id"].as_str().unwrap_or_default().to_owned();
                self.seen.lock().unwrap().linked.push((id, file.to_owned()));
                return;
            }
            if status != 503 && status != 429 {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// Each video from a link ends as its file says: READY for a good file, ERROR for a broken one.
pub fn check(rows: &[Row], seen: &Seen) -> Check {
    let files = manifest();
    let mut check = Check::new("a video from a link ends as its file says");
    for (id, file) in &seen.linked {
        let want = match files.iter().find(|f| f["file"] == file.as_str()) {
            Some(f) if f["expect"] == "ready" => "READY",
            _ => "ERROR",
        };
        let row = rows.iter().find(|r| &r.id == id);
        check.expect(row.is_some_and(|r| r.status == want), || {
            format!(
                "row {id} from a link to {file} is {:?}, not {want}",
                row.map(|r| &r.status)
            )
        });
    }
    check
}
