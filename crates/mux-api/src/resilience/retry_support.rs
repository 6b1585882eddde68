//! Shared pieces of the retry-loop tests: a layer on the design defaults (pacing off) and a
//! scripted attempt that records when it ran and with what time limit.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::SeedableRng;
use tokio::time::Instant;

use crate::config::ClientConfig;
use crate::error::MuxError;
use crate::resilience::{CallSpec, RateClass, Resilience};

pub const SEED: u64 = 42;

pub fn config() -> ClientConfig {
    let mut config = ClientConfig::new("id", "secret");
    config.rate_limit.enabled = false;
    config.default_deadline = Duration::from_secs(60);
    config
}

pub fn layer(config: &ClientConfig) -> Resilience {
    Resilience::new(config, StdRng::seed_from_u64(SEED), None)
}

pub fn server_error() -> MuxError {
    MuxError::Server {
        status: 503,
        retry_after: None,
    }
}

pub fn get(deadline: Option<Instant>) -> CallSpec {
    CallSpec {
        operation: "get_asset",
        class: RateClass::Other,
        deadline,
    }
}

/// Scripted attempts: pops one outcome per attempt (the last one repeats) and notes when each
/// attempt started and the time limit it was given. A `hanging` script never answers and, like
/// the HTTP transport, gives up with `Timeout` when its limit runs out.
pub struct Script {
    pub outcomes: Mutex<VecDeque<Result<u32, MuxError>>>,
    pub started: Mutex<Vec<Instant>>,
    pub limits: Mutex<Vec<Duration>>,
    pub hang: bool,
}

impl Script {
    pub fn new(outcomes: impl IntoIterator<Item = Result<u32, MuxError>>) -> Self {
        Self {
            outcomes: Mutex::new(outcomes.into_iter().collect()),
            started: Mutex::default(),
            limits: Mutex::default(),
            hang: false,
        }
    }

    pub fn hanging() -> Self {
        Self {
            hang: true,
            ..Self::new([Ok(0)])
        }
    }

    pub async fn attempt(&self, limit: Duration) -> Result<u32, MuxError> {
        self.started.lock().unwrap().push(Instant::now());
        self.limits.lock().unwrap().push(limit);
        if self.hang {
            tokio::time::sleep(limit).await;
            return Err(MuxError::Timeout);
        }
        let mut outcomes = self.outcomes.lock().unwrap();
        if outcomes.len() > 1 {
            outcomes.pop_front().unwrap()
        } else {
            outcomes.front().cloned().unwrap()
        }
    }

    pub fn attempts(&self) -> usize {
        self.started.lock().unwrap().len()
    }

    pub fn gaps(&self) -> Vec<Duration> {
        let started = self.started.lock().unwrap();
        started.windows(2).map(|w| w[1] - w[0]).collect()
    }
}
