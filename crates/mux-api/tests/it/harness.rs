//! Starts an emulator and a client pointed at it, with short resilience timings so tests run in
//! real time in a second or two.

use std::time::Duration;

use mux_api::{BreakerConfig, BudgetConfig, ClientConfig, MuxClient, RateLimitConfig, RetryConfig};
use mux_emulator::{ApiFaultAction, ApiFaultRule, EmulatorConfig, EmulatorHandle, FaultConfig};

pub const OPEN_FOR: Duration = Duration::from_millis(400);

pub struct TestMux {
    pub emulator: EmulatorHandle,
    pub client: MuxClient,
}

/// The design's semantics with small numbers: breaker opens after 5, stays open 400 ms.
pub fn fast_config(base_url: &str) -> ClientConfig {
    let mut config = ClientConfig::new("emulator", "emulator-secret").with_base_url(base_url);
    config.request_timeout = Duration::from_millis(500);
    config.default_deadline = Duration::from_secs(10);
    config.rng_seed = Some(7);
    config.breaker = BreakerConfig {
        open_duration: OPEN_FOR,
        ..BreakerConfig::default()
    };
    config.retry = RetryConfig {
        max_retries: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
    };
    config.budget = BudgetConfig::default();
    config.rate_limit = RateLimitConfig {
        enabled: false,
        ..RateLimitConfig::default()
    };
    config
}

impl TestMux {
    pub async fn start() -> Self {
        Self::start_with(EmulatorConfig::default(), |_| {}).await
    }

    pub async fn start_with(
        emulator: EmulatorConfig,
        tune: impl FnOnce(&mut ClientConfig),
    ) -> Self {
        let emulator_config = EmulatorConfig {
            processing_delay: Duration::from_millis(50),
            ..emulator
        };
        let emulator = mux_emulator::start_on_ephemeral_port(emulator_config)
            .await
            .expect("emulator starts");
        let mut config = fast_config(&emulator.base_url());
        tune(&mut config);
        let client = MuxClient::new(config).expect("client builds");
        Self { emulator, client }
    }

    /// Every request to `method path` fails with `status` (optionally `times` times only).
    pub fn fail(
        &self,
        method: &str,
        path: &str,
        status: u16,
        retry_after_s: Option<u64>,
        times: Option<u32>,
    ) {
        self.emulator.set_faults(FaultConfig {
            api: vec![ApiFaultRule {
                method: Some(method.into()),
                path: path.into(),
                rate: 1.0,
                times,
                action: ApiFaultAction::Error {
                    status,
                    retry_after_s,
                },
            }],
            ..FaultConfig::default()
        });
    }

    pub fn fault(&self, method: &str, path: &str, action: ApiFaultAction, times: Option<u32>) {
        self.emulator.set_faults(FaultConfig {
            api: vec![ApiFaultRule {
                method: Some(method.into()),
                path: path.into(),
                rate: 1.0,
                times,
                action,
            }],
            ..FaultConfig::default()
        });
    }

    /// Requests the emulator saw for `path` (exact), with their statuses.
    pub fn hits(&self, path: &str) -> Vec<Option<u16>> {
        self.emulator
            .request_log()
            .into_iter()
            .filter(|r| r.path == path)
            .map(|r| r.status)
            .collect()
    }
}
