//! A second muxd beside a [`TestApp`], on the same PostgreSQL database: what several instances
//! of one deployment share (the database) and what they do not (everything in memory). And the
//! Mux client every test instance uses.

use std::time::Duration;

use axum::Router;
use muxd::app::{self, App, Wiring};
use muxd_core::config::Settings;
use muxd_core::identity::Identity;
use muxd_store::Store;
use tokio::net::TcpListener;

use super::{TestApp, JWT_SECRET};

impl TestApp {
    /// A second muxd on this app's PostgreSQL database, as another instance of a deployment,
    /// with the same settings and Mux; serves until this app is dropped. Returns its base URL,
    /// or `None` on SQLite (one instance only).
    pub async fn another_instance(&self) -> Option<String> {
        let store = Store::connect(&self.pg.as_ref()?.url)
            .await
            .expect("postgres connects");
        let wiring = Wiring {
            identity: Identity::dev(JWT_SECRET),
            mux: test_mux_config(&self.settings, false),
            reconcile: None,
        };
        let app = App::build(&self.settings, store, wiring).expect("app builds");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let stop = self.shutdown.clone();
        tokio::spawn(app::serve(
            app.clone(),
            app.router(Router::new()),
            listener,
            async move { stop.cancelled().await },
        ));
        Some(base)
    }
}

/// The Mux client of test apps: quick retries and timeouts, paced only when asked.
pub fn test_mux_config(settings: &Settings, paced: bool) -> mux_api::ClientConfig {
    let mut mux = app::mux_config(settings);
    mux.rate_limit.enabled = paced;
    mux.retry.base_delay = Duration::from_millis(20);
    mux.request_timeout = Duration::from_secs(5);
    // Tests that open the breaker can see it recover without waiting 30 s.
    mux.breaker.open_duration = Duration::from_millis(200);
    mux
}
