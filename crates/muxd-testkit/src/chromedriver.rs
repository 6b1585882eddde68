//! Debian's `chromedriver` on a free port (killed on drop) and a headless Chromium session as
//! muxd's browser tests and the live-to-card benchmark start it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::webdriver::Session;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long chromedriver may take to answer.
const START_DEADLINE: Duration = Duration::from_secs(60);

/// The chromedriver process; killed on drop.
pub struct Chromedriver {
    child: Child,
    pub url: String,
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Chromedriver {
    /// Starts it (logging to `log` when given) and waits until it says it is ready.
    pub async fn start(log: Option<&Path>) -> Chromedriver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(CHROMEDRIVER);
        command.arg(format!("--port={port}"));
        if let Some(log) = log {
            command.arg(format!("--log-path={}", log.display()));
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Chromedriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::new();
        let status = format!("{}/status", driver.url);
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if let Ok(answer) = http.get(&status).send().await {
                let ready = answer.json::<Value>().await.ok();
                if ready.is_some_and(|v| v["value"]["ready"] == true) {
                    return driver;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A headless Chromium session with a window of `window` (e.g. `--window-size=1280,900`),
    /// keeping the browser's console and network logs.
    pub async fn open(&self, window: &str) -> Session {
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-background-networking", "--disable-component-update", window],
            },
            "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"},
            "timeouts": {"script": 60_000, "pageLoad": 60_000},
        });
        Session::open(&self.url, capabilities).await
    }
}
