//! `EmulatorHandle`: what a test or `muxd dev` holds to talk to a running emulator in-process.
//! Dropping it stops the emulator (its tasks end and its temp data dir is removed).
//!
//! Part of the public API; it reaches into the core (`state`) only, so the wiring in `app` can
//! hand one out without anything below importing `app`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::{CancellationToken, DropGuard};

use crate::faults::FaultConfig;
use crate::request_log::LoggedRequest;
use crate::state::model::{Asset, Upload};
use crate::state::Emulator;
use crate::webhooks::Delivery;

pub struct EmulatorHandle {
    pub(crate) emu: Arc<Emulator>,
    pub(crate) addr: SocketAddr,
    pub(crate) _stop_on_drop: DropGuard,
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT`: what a Mux client uses as its base URL (`MUX_BASE_URL`).
    pub fn base_url(&self) -> String {
        self.emu.base_url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replaces the webhook endpoints; events dispatched from now on go to these.
    pub fn set_webhook_urls(&self, urls: Vec<String>) {
        self.emu.webhooks.set_urls(urls);
    }

    pub fn add_webhook_url(&self, url: impl Into<String>) {
        let mut urls = self.emu.webhooks.targets().urls;
        urls.push(url.into());
        self.emu.webhooks.set_urls(urls);
    }

    pub fn webhook_urls(&self) -> Vec<String> {
        self.emu.webhooks.targets().urls
    }

    pub fn set_signing_secret(&self, secret: impl Into<String>) {
        self.emu.webhooks.set_signing_secret(secret.into());
    }

    pub fn set_faults(&self, faults: FaultConfig) {
        self.emu.faults.set(faults);
    }

    pub fn faults(&self) -> FaultConfig {
        self.emu.faults.config()
    }

    pub fn clear_faults(&self) {
        self.emu.faults.set(FaultConfig::default());
    }

    pub fn set_rate_limits(&self, enabled: bool) {
        self.emu.rate_limiter.set_enabled(enabled);
    }

    /// Moves the emulator's clock forward (e.g. past an upload's `timeout`).
    pub fn advance_clock(&self, by: Duration) {
        self.emu.clock.advance(by);
        self.emu.expire_due();
    }

    /// Every request that reached the emulator outside `/_emulator`, oldest first.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.emu.request_log.entries()
    }

    pub fn clear_request_log(&self) {
        self.emu.request_log.clear();
    }

    /// Every webhook delivery (one per event and endpoint) with its attempts and outcome.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.emu.webhooks.deliveries()
    }

    pub fn upload(&self, id: &str) -> Option<Upload> {
        self.emu.expire_due();
        self.emu.store.upload(id)
    }

    pub fn asset(&self, id: &str) -> Option<Asset> {
        self.emu.store.asset(id)
    }

    pub fn uploads(&self) -> Vec<Upload> {
        self.emu.expire_due();
        self.emu.store.all_uploads()
    }

    pub fn assets(&self) -> Vec<Asset> {
        self.emu.store.all_assets()
    }

    /// Cancelling this token stops the emulator, like `shutdown` without waiting.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.emu.shutdown.clone()
    }

    /// Stops accepting, lets open connections finish (up to 5 s), ends background tasks.
    pub async fn shutdown(self) {
        self.emu.shutdown.cancel();
        self.emu.tasks.close();
        self.emu.tasks.wait().await;
    }
}
