//! The ways a test starts a [`TestApp`]: on either backend, as `muxd dev` meets a browser, with
//! pacing, a spare-upload pool, slow processing, extra settings, `serve`'s identity checks, or
//! PostgreSQL behind a proxy that can cut it off.

use std::time::Duration;

use super::{Backend, Options, TestApp};

impl TestApp {
    /// A running app, or `None` when PostgreSQL was asked for and is unavailable outside CI.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(Options::new(backend)).await
    }

    /// Like [`TestApp::spawn`] on SQLite, with `muxd dev`'s demo user, admin, campaign and
    /// influencers ([`TestApp::demo`]) and its sign-in route (`/dev/login?as=user|admin`), as a
    /// browser meets it.
    pub async fn spawn_dev() -> TestApp {
        Self::dev_with_settings(&[]).await
    }

    /// Like [`TestApp::spawn_dev`], with these settings besides the test defaults.
    pub async fn dev_with_settings(settings: &[(&str, &str)]) -> TestApp {
        let options = Options {
            settings,
            dev: true,
            ..Options::new(Backend::Sqlite)
        };
        Self::spawn_with(options)
            .await
            .expect("SQLite is always available")
    }

    /// Like [`TestApp::spawn_dev`], with the emulator taking `delay` on its clock to process an
    /// upload, so a browser test sees processing last until it advances the clock.
    pub async fn dev_with_processing_delay(delay: Duration) -> TestApp {
        let options = Options {
            dev: true,
            processing_delay: delay,
            ..Options::new(Backend::Sqlite)
        };
        Self::spawn_with(options)
            .await
            .expect("SQLite is always available")
    }

    /// Like [`TestApp::spawn`], with muxd pacing its Mux calls as in production.
    pub async fn spawn_paced(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(Options {
            paced: true,
            ..Options::new(backend)
        })
        .await
    }

    /// Like [`TestApp::spawn`], keeping `size` spare uploads ready.
    pub async fn spawn_with_pool(backend: Backend, size: usize) -> Option<TestApp> {
        Self::spawn_with(Options {
            pool_size: size,
            ..Options::new(backend)
        })
        .await
    }

    /// Like [`TestApp::spawn`], with the emulator taking `delay` on its clock to process an
    /// upload, so a test ends processing by advancing the clock.
    pub async fn spawn_with_processing_delay(backend: Backend, delay: Duration) -> Option<TestApp> {
        Self::spawn_with(Options {
            processing_delay: delay,
            ..Options::new(backend)
        })
        .await
    }

    /// Like [`TestApp::spawn`], with these settings besides the test defaults.
    pub async fn spawn_with_settings(
        backend: Backend,
        settings: &[(&str, &str)],
    ) -> Option<TestApp> {
        Self::spawn_with(Options {
            settings,
            ..Options::new(backend)
        })
        .await
    }

    /// Like [`TestApp::spawn_with_settings`] on SQLite, checking tokens as `muxd serve` does with
    /// these settings (e.g. `MUXD_JWT_JWKS_URL`), so [`TestApp::token`]'s tokens are refused.
    pub async fn spawn_with_serve_identity(settings: &[(&str, &str)]) -> TestApp {
        let options = Options {
            settings,
            serve_identity: true,
            ..Options::new(Backend::Sqlite)
        };
        Self::spawn_with(options)
            .await
            .expect("SQLite is always available")
    }

    /// Like [`TestApp::spawn`], with PostgreSQL reached through a [`ChaosProxy`].
    pub async fn spawn_behind_proxy(backend: Backend) -> Option<TestApp> {
        assert_eq!(
            backend,
            Backend::Postgres,
            "only a networked database can be cut off"
        );
        Self::spawn_with(Options {
            behind_proxy: true,
            ..Options::new(backend)
        })
        .await
    }
}
