//! The two processes of a chaos run: `muxd emulator` (started once, seeded, webhooks pointed at
//! muxd's port chosen in advance) and `muxd serve` (killed with SIGKILL and started again on the
//! same database; at the end stopped with SIGTERM, which must end it within its grace). Both log to files in the run's directory, kept after the run.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::process::{muxd, start, Running};
use muxd_testkit::databases::TempDir;

pub const OLD_SECRET: &str = "whsec_chaos_old";
pub const NEW_SECRET: &str = "whsec_chaos_new";
pub const JWT_SECRET: &str = "chaos-jwt-secret-of-at-least-32-bytes";
pub const TOKEN_ID: &str = "emulator";
pub const TOKEN_SECRET: &str = "emulator-secret";
/// The shutdown bound of `muxd serve` in a chaos run.
const SHUTDOWN_GRACE_SECS: u64 = 5;
/// How long past the grace the final SIGTERM waits before calling the exit late.
const SHUTDOWN_SLACK: Duration = Duration::from_secs(10);

/// A port free right now (bound, then released), for `MUXD_LISTEN` and the webhook URL.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `muxd emulator` signing with [`OLD_SECRET`]; returns it and its base URL.
pub async fn start_emulator(dir: &TempDir, seed: u64, webhook_url: &str) -> (Running, String) {
    let seed = seed.to_string();
    let args = [
        "emulator",
        "--port",
        "0",
        "--seed",
        &seed,
        "--webhook-url",
        webhook_url,
        "--signing-secret",
        OLD_SECRET,
        "--processing-delay-ms",
        "300",
        // 24 h of webhook retries in 14 min; the first retry after 50 ms.
        "--webhook-time-scale",
        "0.01",
        // Links point at the suite's file server on 127.0.0.1.
        "--allow-private-inputs",
    ];
    let (running, line) = start(dir, &args, &[], "Mux emulator listening on").await;
    let base = line
        .split("listening on ")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    (running, base)
}

/// `muxd serve`, which the suite kills and restarts.
pub struct Serve {
    pub base: String,
    listen: String,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
    dir: TempDir,
    pub starts: u32,
}

impl Serve {
    pub fn new(emulator: &str, database_url: &str, port: u16, log_dir: &Path) -> Serve {
        let listen = format!("127.0.0.1:{port}");
        let env = [
            ("MUX_BASE_URL", emulator.to_owned()),
            ("MUXD_STREAM_BASE_URL", format!("{emulator}/stream")),
            ("MUX_TOKEN_ID", TOKEN_ID.into()),
            ("MUX_TOKEN_SECRET", TOKEN_SECRET.into()),
            (
                "MUX_WEBHOOK_SIGNING_SECRET",
                format!("{OLD_SECRET},{NEW_SECRET}"),
            ),
            ("MUXD_JWT_HS256_SECRET", JWT_SECRET.into()),
            // The workload signs its users in with `Identity::dev`'s tokens.
            ("MUXD_JWT_ISSUER", muxd_core::identity::DEV_ISSUER.into()),
            (
                "MUXD_JWT_AUDIENCE",
                muxd_core::identity::DEV_AUDIENCE.into(),
            ),
            ("DATABASE_URL", database_url.into()),
            ("MUXD_LISTEN", listen.clone()),
            // The workload is several users uploading fast; muxd's per-user limit is not under test.
            ("MUXD_UPLOADS_PER_USER_PER_MINUTE", "10000".into()),
            // Lost webhooks are made up by polling after 15 s instead of a minute, so the run
            // converges sooner; the mechanism is the same.
            ("MUXD_RECONCILE_GRACE_SECS", "15".into()),
            ("MUXD_SHUTDOWN_GRACE_SECS", SHUTDOWN_GRACE_SECS.to_string()),
            ("MUXD_INPUT_ALLOW_PRIVATE_URLS", "true".into()),
            // Every upload asks for captions, whose track events ride the same faults.
            ("MUXD_CAPTIONS", "en".into()),
        ];
        Serve {
            base: format!("http://{listen}"),
            listen,
            env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            log: log_dir.join("serve.log"),
            child: None,
            dir: TempDir::new().unwrap(),
            starts: 0,
        }
    }

    /// Sets (or overrides) one more variable for the next start.
    pub fn env(&mut self, name: &str, value: &str) {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.to_owned(), value.to_owned()));
    }

    /// Starts the process and waits (up to 60 s) until it answers HTTP.
    pub async fn start(&mut self, http: &reqwest::Client) {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let child = muxd(&self.dir, &["serve"], &env)
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("muxd serve starts");
        self.child = Some(child);
        self.starts += 1;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let url = format!("{}/api/health/mux-system", self.base);
            if http.get(&url).send().await.is_ok() {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!(
                    "muxd serve on {} exited with {status}; see {}",
                    self.listen,
                    self.log.display()
                );
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "muxd serve never answered on {}; see {}",
                self.listen,
                self.log.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGTERM, as an orchestrator stops it; then waits for the exit up to the shutdown grace (and
    /// a margin for a loaded machine). The exit status, or why there is none (killed then).
    pub async fn terminate(&mut self) -> Result<std::process::ExitStatus, String> {
        let Some(child) = self.child.as_mut() else {
            return Err("not running".into());
        };
        let pid = child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        if !sent.is_ok_and(|s| s.success()) {
            return Err(format!("could not send SIGTERM to {pid}"));
        }
        let deadline =
            tokio::time::Instant::now() + Duration::from_secs(SHUTDOWN_GRACE_SECS) + SHUTDOWN_SLACK;
        loop {
            if let Ok(Some(exit)) = child.try_wait() {
                self.child = None;
                return Ok(exit);
            }
            if tokio::time::Instant::now() >= deadline {
                self.kill9();
                return Err(format!(
                    "still running {SHUTDOWN_GRACE_SECS} s after SIGTERM (and the margin); killed; see {}",
                    self.log.display()
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL (`Child::kill` on Unix), as `kill -9`.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.kill9();
    }
}
