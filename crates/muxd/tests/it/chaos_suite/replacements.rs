//! Replacements in the chaos suite: how the workload replaces a video in place (wait for the card
//! to be READY, ask for the replacement as an app would, send the new file), and what must hold
//! once the faults stop: a card plays the asset of its newest take that Mux made ready (else its
//! own video, READY), a failed newest take shows on the card as an error, and the old Mux assets
//! of swapped takes are deleted.

use std::time::Duration;

use serde_json::{json, Value};

use super::invariants::{Check, Row, Truth};
use super::workload::{Clients, Seen};

/// How long the workload waits for a card to be READY before replacing it (faults may hold
/// webhooks back; the reconciler catches up).
const READY_WAIT: Duration = Duration::from_secs(90);

impl Clients {
    /// Waits for `user`'s card `id` to be READY, then replaces it with `file` (retrying as an app
    /// would on 503, 429 and lost connections) and sends it. A card that ends otherwise (its
    /// file was broken) is left alone.
    pub async fn replace_when_ready(&self, user: usize, id: &str, file: &str) {
        let started = tokio::time::Instant::now();
        loop {
            let response = self
                .http
                .get(format!("{}/api/creative-assets/{id}", self.muxd))
                .bearer_auth(self.token(user))
                .send()
                .await;
            let status = match response {
                Ok(response) => {
                    self.record("view", Some(response.status().as_u16()));
                    let body: Value = response.json().await.unwrap_or_default();
                    body["status"].as_str().unwrap_or_default().to_owned()
                }
                Err(_) => {
                    self.record("view", None);
                    String::new()
                }
            };
            match status.as_str() {
                "READY" => break,
                "ERROR" | "CANCELLED" | "TIMED_OUT" | "DELETED" => return,
                _ if started.elapsed() > READY_WAIT => return,
                _ => tokio::time::sleep(Duration::from_millis(500)).await,
            }
        }
        for _ in 0..12 {
            let response = self
                .http
                .post(format!("{}/api/creative-assets/{id}/replace", self.muxd))
                .bearer_auth(self.token(user))
                .json(&json!({"fileSize": 1024, "fileType": "video/mp4", "fileName": file}))
                .send()
                .await;
            let Ok(response) = response else {
                self.record("replace", None);
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            };
            let status = response.status().as_u16();
            self.record("replace", Some(status));
            if status == 201 {
                let body: Value = response.json().await.unwrap_or_default();
                let url = body["url"].as_str().unwrap_or_default().to_owned();
                let replaced = (id.to_owned(), file.to_owned());
                self.seen.lock().unwrap().replaced.push(replaced);
                return self.send(&url, file, false).await;
            }
            if status != 503 && status != 429 {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// The Mux asset a take's upload made, and its status on Mux.
fn take_asset<'a>(take: &Row, truth: &'a Truth) -> Option<(&'a str, &'a str)> {
    let upload = truth.uploads.get(take.upload_id.as_deref()?)?;
    let asset = upload["asset_id"].as_str()?;
    let status = truth
        .assets
        .get(asset)
        .map_or("deleted", |a| a["status"].as_str().unwrap_or_default());
    Some((asset, status))
}

/// A card plays its newest take Mux made ready (else its own video); a failed newest take shows
/// as the card's error; a swapped take's old asset is gone from Mux.
pub fn check(rows: &[Row], truth: &Truth, seen: &Seen) -> Check {
    let mut check = Check::new("a replaced card plays its newest good take, old assets deleted");
    for (id, _) in &seen.replaced {
        check.expect(rows.iter().any(|r| r.replaces.as_ref() == Some(id)), || {
            format!("card {id}: replacement started but no take recorded")
        });
    }
    for card in rows
        .iter()
        .filter(|r| r.replaces.is_none() && r.status != "DELETED")
    {
        let mut takes: Vec<&Row> = rows
            .iter()
            .filter(|t| t.replaces.as_ref() == Some(&card.id))
            .collect();
        if takes.is_empty() {
            continue;
        }
        takes.sort_by_key(|t| t.created_at);
        let newest_good = takes
            .iter()
            .rev()
            .filter_map(|t| take_asset(t, truth))
            .find(|(_, status)| *status == "ready");
        let playing = card.asset_id.as_deref();
        let want = newest_good.map(|(asset, _)| asset);
        check.expect(card.status == "READY", || {
            format!(
                "card {}: is {} after its replacements",
                card.id, card.status
            )
        });
        if let Some(want) = want {
            check.expect(playing == Some(want), || {
                format!(
                    "card {} plays {playing:?}, not its newest good take {want}",
                    card.id
                )
            });
        }
        let newest = takes.last().unwrap();
        if newest.status == "ERROR" {
            check.expect(card.replacement_status.as_deref() == Some("error"), || {
                format!("card {}: its failed replacement is not shown", card.id)
            });
        }
        for take in takes.iter().filter(|t| t.status == "DELETED") {
            if let Some(old) = take.asset_id.as_deref() {
                check.expect(!truth.assets.contains_key(old), || {
                    format!("card {}: old asset {old} still on Mux", card.id)
                });
            }
        }
    }
    check
}
