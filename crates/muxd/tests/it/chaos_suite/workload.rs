//! The seeded workload: a plan of N uploads (some of them videos from links) over several users, drawn up front from the seed (so
//! a seed names the same plan every time), then played through muxd's HTTP API by one task per
//! user. Every response status muxd gives is recorded with its time, for the 5xx invariant.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use muxd_core::identity::Identity;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use tokio::time::Instant;

use super::procs::{JWT_SECRET, TOKEN_ID, TOKEN_SECRET};
use crate::media::{fixture, manifest};

#[derive(Debug, Clone)]
pub enum Kind {
    /// A good or broken fixture, whole or in chunks.
    Send { file: String, chunked: bool },
    /// Created, never sent.
    NeverSent,
    /// Created, then cancelled on Mux by the owner's app.
    Cancel,
    /// Sent, then deleted by the user after `after_ms`.
    Delete { file: String, after_ms: u64 },
    /// The client hangs up on the create after `after_ms`.
    HangUp { after_ms: u64 },
    /// `first` sent; once READY, replaced in place by `second` (good or broken).
    Replace { first: String, second: String },
    /// A video Mux makes from a link to `file` (good or broken) on the suite's file server.
    Link { file: String },
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub user: usize,
    pub pause_ms: u64,
    pub kind: Kind,
}

/// The plan for `uploads` uploads by `users` users under `seed`.
pub fn plan(seed: u64, uploads: usize, users: usize) -> Vec<Plan> {
    let mut rng = StdRng::seed_from_u64(seed);
    let files = manifest();
    let pick = |rng: &mut StdRng, expect: &str| -> String {
        let of: Vec<&Value> = files.iter().filter(|f| f["expect"] == expect).collect();
        of[rng.random_range(0..of.len())]["file"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    (0..uploads)
        .map(|_| {
            let roll = rng.random_range(0..100);
            let kind = match roll {
                0..22 => Kind::Send {
                    file: pick(&mut rng, "ready"),
                    chunked: rng.random_bool(0.5),
                },
                22..38 => Kind::Link {
                    file: match rng.random_bool(0.3) {
                        true => pick(&mut rng, "errored"),
                        false => pick(&mut rng, "ready"),
                    },
                },
                38..50 => Kind::Send {
                    file: pick(&mut rng, "errored"),
                    chunked: false,
                },
                50..56 => Kind::NeverSent,
                56..64 => Kind::Cancel,
                64..78 => Kind::Replace {
                    first: pick(&mut rng, "ready"),
                    second: match rng.random_bool(0.35) {
                        true => pick(&mut rng, "errored"),
                        false => pick(&mut rng, "ready"),
                    },
                },
                78..90 => Kind::Delete {
                    file: pick(&mut rng, "ready"),
                    after_ms: rng.random_range(0..3000),
                },
                _ => Kind::HangUp {
                    after_ms: rng.random_range(1..400),
                },
            };
            Plan {
                user: rng.random_range(0..users),
                pause_ms: rng.random_range(0..800),
                kind,
            }
        })
        .collect()
}

/// What the clients saw.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    /// (seconds since the run began, route, status) of every muxd response.
    pub responses: Vec<(f64, &'static str, u16)>,
    /// Requests to muxd that got no response (killed, refused, reset).
    pub conn_errors: usize,
    pub hangups: usize,
    /// Row ids of uploads created, with their upload ids.
    pub created: Vec<(String, String)>,
    /// Rows whose DELETE muxd acknowledged.
    pub deleted: Vec<String>,
    /// Rows made from a link, with their file.
    pub linked: Vec<(String, String)>,
    /// Rows whose replacement muxd started, with the new file.
    pub replaced: Vec<(String, String)>,
    /// Upload ids cancelled on Mux.
    pub cancelled: Vec<String>,
    pub sent: usize,
    pub upload_errors: Vec<String>,
    pub emulator_calls: usize,
}

#[derive(Clone)]
pub struct Clients {
    pub http: reqwest::Client,
    pub muxd: String,
    pub emulator: String,
    /// The file server links point at.
    pub files: String,
    pub started: Instant,
    pub seen: Arc<Mutex<Seen>>,
    identity: Arc<Identity>,
}

impl Clients {
    pub fn new(muxd: &str, emulator: &str, files: &str, started: Instant) -> Clients {
        Clients {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            muxd: muxd.to_owned(),
            emulator: emulator.to_owned(),
            files: files.to_owned(),
            started,
            seen: Arc::default(),
            identity: Arc::new(Identity::dev(JWT_SECRET.as_bytes())),
        }
    }

    pub(super) fn token(&self, user: usize) -> String {
        self.identity
            .sign(&format!("chaos-user-{user}"), false, 3600)
            .unwrap()
    }

    pub(super) fn record(&self, route: &'static str, status: Option<u16>) {
        let at = self.started.elapsed().as_secs_f64();
        let mut seen = self.seen.lock().unwrap();
        match status {
            Some(status) => seen.responses.push((at, route, status)),
            None => seen.conn_errors += 1,
        }
    }

    /// Creates an upload, retrying (as an app would) on 503, 429 and lost connections.
    async fn create(&self, user: usize, n: usize) -> Option<(String, String, String)> {
        for _ in 0..12 {
            let response = self
                .http
                .post(format!("{}/api/mux/create-video-upload", self.muxd))
                .bearer_auth(self.token(user))
                .json(&json!({"name": format!("chaos-{n}.mp4"), "fileType": "video/mp4", "fileSize": 1024}))
                .send()
                .await;
            let Ok(response) = response else {
                self.record("create", None);
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            };
            let status = response.status().as_u16();
            self.record("create", Some(status));
            if status == 201 {
                let body: Value = response.json().await.ok()?;
                let field = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
                let created = (field("id"), field("uploadId"), field("url"));
                let mut seen = self.seen.lock().unwrap();
                seen.created.push((created.0.clone(), created.1.clone()));
                return Some(created);
            }
            if status != 503 && status != 429 {
                return None;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        None
    }

    async fn hang_up(&self, user: usize, n: usize, after_ms: u64) {
        let request = self
            .http
            .post(format!("{}/api/mux/create-video-upload", self.muxd))
            .bearer_auth(self.token(user))
            .json(&json!({"name": format!("chaos-{n}.mp4"), "fileSize": 1024}))
            .send();
        match tokio::time::timeout(Duration::from_millis(after_ms), request).await {
            Err(_) => self.seen.lock().unwrap().hangups += 1,
            Ok(Ok(response)) => self.record("create", Some(response.status().as_u16())),
            Ok(Err(_)) => self.record("create", None),
        }
    }

    /// PUTs the file whole or in three chunks; up to three tries from byte 0.
    pub(super) async fn send(&self, url: &str, file: &str, chunked: bool) {
        let bytes = fixture(file);
        for _ in 0..3 {
            if self.put(url, &bytes, chunked && bytes.len() > 3).await {
                self.seen.lock().unwrap().sent += 1;
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        self.seen
            .lock()
            .unwrap()
            .upload_errors
            .push(format!("{file} to {url}"));
    }

    async fn put(&self, url: &str, bytes: &[u8], chunked: bool) -> bool {
        if !chunked {
            let response = self.http.put(url).body(bytes.to_vec()).send().await;
            return response.is_ok_and(|r| r.status().is_success());
        }
        let size = bytes.len().div_ceil(3);
        let total = bytes.len();
        for (i, chunk) in bytes.chunks(size).enumerate() {
            let start = i * size;
            let end = start + chunk.len() - 1;
            let response = self
                .http
                .put(url)
                .header("content-range", format!("bytes {start}-{end}/{total}"))
                .body(chunk.to_vec())
                .send()
                .await;
            let Ok(response) = response else { return false };
            let last = end + 1 == total;
            let ok = if last {
                response.status().is_success()
            } else {
                response.status().as_u16() == 308
            };
            if !ok {
                return false;
            }
        }
        true
    }

    /// Cancels the upload on Mux, as the owner's app would.
    async fn cancel(&self, upload_id: &str) {
        for _ in 0..15 {
            self.seen.lock().unwrap().emulator_calls += 1;
            let response = self
                .http
                .put(format!(
                    "{}/video/v1/uploads/{upload_id}/cancel",
                    self.emulator
                ))
                .basic_auth(TOKEN_ID, Some(TOKEN_SECRET))
                .send()
                .await;
            if response.is_ok_and(|r| r.status().is_success()) {
                let mut seen = self.seen.lock().unwrap();
                seen.cancelled.push(upload_id.to_owned());
                return;
            }
            tokio::time::sleep(Duration::from_millis(700)).await;
        }
    }

    async fn delete(&self, user: usize, id: &str) {
        for _ in 0..12 {
            let response = self
                .http
                .delete(format!("{}/api/creative-assets/{id}", self.muxd))
                .bearer_auth(self.token(user))
                .send()
                .await;
            let Ok(response) = response else {
                self.record("delete", None);
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            };
            let status = response.status().as_u16();
            self.record("delete", Some(status));
            if response.status().is_success() {
                self.seen.lock().unwrap().deleted.push(id.to_owned());
                return;
            }
            if status != 503 && status != 429 {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Plays one planned upload.
    pub async fn play(&self, n: usize, plan: &Plan) {
        tokio::time::sleep(Duration::from_millis(plan.pause_ms)).await;
        if let Kind::HangUp { after_ms } = plan.kind {
            return self.hang_up(plan.user, n, after_ms).await;
        }
        if let Kind::Link { file } = &plan.kind {
            return self.link(plan.user, file).await;
        }
        let Some((id, upload_id, url)) = self.create(plan.user, n).await else {
            return;
        };
        match &plan.kind {
            Kind::Send { file, chunked } => self.send(&url, file, *chunked).await,
            Kind::NeverSent | Kind::HangUp { .. } | Kind::Link { .. } => {}
            Kind::Cancel => self.cancel(&upload_id).await,
            Kind::Delete { file, after_ms } => {
                self.send(&url, file, false).await;
                tokio::time::sleep(Duration::from_millis(*after_ms)).await;
                self.delete(plan.user, &id).await;
            }
            Kind::Replace { first, second } => {
                self.send(&url, first, false).await;
                self.replace_when_ready(plan.user, &id, second).await;
            }
        }
    }
}

/// Plays the whole plan: one task per user, each user's uploads in order.
pub async fn play_all(clients: &Clients, plan: Vec<Plan>, users: usize) {
    let mut tasks = Vec::new();
    for user in 0..users {
        let mine: Vec<(usize, Plan)> = plan
            .iter()
            .cloned()
            .enumerate()
            .filter(|(_, p)| p.user == user)
            .collect();
        let clients = clients.clone();
        tasks.push(tokio::spawn(async move {
            for (n, p) in mine {
                clients.play(n, &p).await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("a user task panicked");
    }
}
