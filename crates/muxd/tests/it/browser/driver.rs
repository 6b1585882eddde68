//! Starting a browser for one test: Debian's `chromedriver` on a free port (killed on drop),
//! headless Chromium in a session that is closed on drop, and the skip rule: without Chromium or
//! its driver a test says loudly that it skipped, unless `CI=true`, where that is a failure.

use std::ops::Deref;
use std::path::Path;
use std::time::Duration;

use super::shots::Shots;
use muxd_testkit::chromedriver::{Chromedriver, CHROMEDRIVER, CHROMIUM};
use muxd_testkit::databases::in_ci;
use muxd_testkit::webdriver::Session;

/// How wide the window is: a laptop, or a small phone (for the responsive checks).
#[derive(Debug, Clone, Copy)]
pub enum Width {
    Desktop,
    Phone,
}

impl Width {
    fn arg(self) -> &'static str {
        match self {
            Width::Desktop => "--window-size=1280,900",
            Width::Phone => "--window-size=360,800",
        }
    }
}

/// Says loudly that a browser test skips for want of `what` (the caller then returns), or fails
/// the test under `CI=true`.
pub fn missing(what: &str, install: &str) {
    assert!(!in_ci(), "CI=true requires {what} ({install})");
    eprintln!("\n*** SKIPPED: browser tests need {what} ({install}) ***\n");
}

/// A headless Chromium for one test, with its screenshot folder. Derefs to its [`Session`].
pub struct Browser {
    session: Session,
    pub shots: Shots,
    _driver: Chromedriver,
}

impl Deref for Browser {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.session
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Closing the session ends Chromium; the driver is killed after (fields drop later).
        let url = self.session.url().to_owned();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let http = reqwest::Client::new();
                let _ = http
                    .delete(url)
                    .timeout(Duration::from_secs(30))
                    .send()
                    .await;
            });
        })
        .join();
    }
}

impl Browser {
    /// A browser for test `test`, or `None` (after saying so) when Chromium or its driver is
    /// missing outside CI.
    pub async fn start(test: &str, width: Width) -> Option<Browser> {
        if !(Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()) {
            missing(
                "chromium and chromium-driver",
                "apt-get install -y chromium chromium-driver",
            );
            return None;
        }
        let shots = Shots::new(test);
        let driver = Chromedriver::start(Some(&shots.dir().join("chromedriver.log"))).await;
        let session = driver.open(width.arg()).await;
        Some(Browser {
            session,
            shots,
            _driver: driver,
        })
    }

    /// Saves a screenshot of the page as the next `NN-state.png` of this test's folder.
    pub async fn shot(&self, state: &str) {
        let png = self.session.screenshot().await;
        self.shots.save(state, &png);
    }
}
