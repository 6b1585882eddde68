//! The admin pages in a browser, and how each says it has loaded: a test waits for that before
//! looking (or running axe).

use super::driver::Browser;
use muxd_testkit::app::TestApp;

/// The admin pages, each with a JavaScript expression true once it has loaded.
pub const ADMIN_PAGES: [(&str, &str); 6] = [
    ("/admin", "document.querySelector('main h1')"),
    (
        "/admin/assets",
        "!document.getElementById('state').textContent.startsWith('Loading')",
    ),
    (
        "/admin/campaigns",
        "!document.getElementById('state').textContent.startsWith('Loading')",
    ),
    (
        "/admin/events",
        "!document.getElementById('state').textContent.startsWith('Loading')",
    ),
    (
        "/admin/health",
        "document.getElementById('overall').dataset.status !== 'unknown'",
    ),
    (
        "/admin/webhooks",
        "!document.getElementById('state').textContent.startsWith('Loading') && !document.getElementById('log-state').textContent.startsWith('Loading')",
    ),
];

impl Browser {
    /// Opens admin page `path` (signed in as an admin) and waits until it has loaded.
    pub async fn open_admin(&self, app: &TestApp, path: &str) {
        let (_, loaded) = ADMIN_PAGES
            .iter()
            .find(|(page, _)| *page == path)
            .expect("an admin page");
        self.navigate(&format!("{}{path}", app.base)).await;
        self.wait_for(&format!("{path} to load"), loaded).await;
    }
}
