//! Outbound webhooks: telling the host app what changed. Every change to an asset leaves a
//! marked record in the same transaction (`store::outbox`); the dispatcher ([`Outbound::step`])
//! turns records into signed Standard Webhooks messages, one delivery per interested endpoint, and
//! sends them: woken by each change, so a healthy endpoint hears within moments, and every second
//! for retries. A failed delivery is tried again on a growing schedule for about a day, each
//! endpoint behind its own circuit breaker; every attempt is logged, and any delivery can be
//! replayed. At least once: a process killed mid-send leaves its deliveries leased, and they are
//! sent again when the lease ends.

mod dispatch;
pub mod endpoints;
pub mod guard;
pub mod log;
pub mod signing;

pub use dispatch::count_attempts_from_zero;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mux_api::resilience::breaker::Breaker;

use crate::config::OutboundSettings;
use muxd_store::outbox::PendingChange;
use muxd_store::Store;

/// Makes a message's body from a change (the app layer renders the asset's view).
pub type Render = Arc<dyn Fn(&PendingChange) -> String + Send + Sync>;

/// The outbound side: endpoints and the dispatcher. Cheap to clone.
#[derive(Clone)]
pub struct Outbound {
    pub store: Store,
    pub settings: OutboundSettings,
    client: reqwest::Client,
    render: Render,
    /// Each endpoint's breaker, by endpoint id.
    breakers: Arc<Mutex<HashMap<String, Breaker>>>,
    /// Whether any endpoint is enabled, as last read: while none is, changes do not wake the
    /// dispatcher (they are not marked for it either), and only its one-second tick runs.
    listening: Arc<AtomicBool>,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// How long one attempt may take, connection included.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);

impl Outbound {
    pub fn new(store: Store, settings: OutboundSettings, render: Render) -> anyhow::Result<Self> {
        Ok(Self {
            client: client(settings.allow_private)?,
            store,
            settings,
            render,
            breakers: Arc::default(),
            // Until the first tick reads it: a change made before then still wakes it.
            listening: Arc::new(AtomicBool::new(true)),
        })
    }

    /// From now on, each change wakes the dispatcher (an endpoint was just made here; other
    /// instances see it at their next tick).
    pub fn hear_changes(&self) {
        self.listening.store(true, Ordering::Relaxed);
    }
}

/// The HTTP client of deliveries. It ignores `HTTP(S)_PROXY`/`ALL_PROXY`: a proxy resolves names
/// itself and would reach whatever address an endpoint's name points at, past the address check
/// of [`guard::PublicResolver`].
fn client(allow_private: bool) -> reqwest::Result<reqwest::Client> {
    let mut client = reqwest::Client::builder()
        .no_proxy()
        .timeout(ATTEMPT_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("muxd/", env!("CARGO_PKG_VERSION")));
    if !allow_private {
        client = client.dns_resolver(Arc::new(guard::PublicResolver));
    }
    client.build()
}

#[cfg(test)]
mod tests;
