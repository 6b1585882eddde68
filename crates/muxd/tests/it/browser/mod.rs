//! Real headless-Chromium tests of muxd's pages: the testkit's WebDriver client drives
//! Debian's Chromium through `chromedriver` ([`driver`]) against a [`muxd_testkit::app::TestApp`] with
//! `muxd dev`'s demo data and sign-in, whose in-process emulator lets a test slow, fail or inspect
//! what reached Mux. Tests wait for conditions ([`wait`]), never for time, and screenshot each
//! state they reach ([`shots`]) under `target/browser-screenshots/<test>/`; [`axe`] checks
//! accessibility. Without Chromium (or axe-core) they skip loudly, except under `CI=true`.

mod a11y;
mod admin;
mod admin_pages;
mod admin_webhooks;
mod axe;
mod captions;
mod controls;
mod download;
mod driver;
mod drop;
mod embed;
mod host_page;
mod keyboard;
mod links;
mod manage;
mod mux_player;
mod netlog;
mod page;
mod replace;
mod resume;
mod retries;
mod shots;
mod signed;
mod upload;
mod wait;
