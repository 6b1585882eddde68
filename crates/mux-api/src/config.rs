//! Every number the client and its resilience layer use, in one typed place.
//!
//! The service builds a [`ClientConfig`] from its own settings; `Default` gives the figures of
//! docs/contract.md §5. Secrets (the token secret, the alert webhook URL) are `secrecy` types, so a
//! `Debug` of the config never shows them.

use std::time::Duration;

use secrecy::SecretString;

/// Where Mux lives unless configured otherwise (`MUX_BASE_URL` in the service).
pub const DEFAULT_BASE_URL: &str = "https://api.mux.com";

/// Settings of one [`crate::MuxClient`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL without a trailing slash, e.g. `https://api.mux.com` or the emulator's.
    pub base_url: String,
    /// Access token id (Basic auth user name). Not secret on its own.
    pub token_id: String,
    /// Access token secret (Basic auth password). Redacted in `Debug`.
    pub token_secret: SecretString,
    /// Timeout of one HTTP attempt (connect + request + body).
    pub request_timeout: Duration,
    /// Deadline of one logical call (all attempts, pacing waits and backoff sleeps) when the
    /// caller gives none (see [`crate::MuxClient::with_deadline`]).
    pub default_deadline: Duration,
    /// Seed of the jitter RNG; `None` seeds from the OS. Tests set it.
    pub rng_seed: Option<u64>,
    /// Slack-compatible incoming-webhook URL that gets `{"text": …}` on each breaker transition.
    pub alert_webhook_url: Option<SecretString>,
    pub breaker: BreakerConfig,
    pub retry: RetryConfig,
    pub budget: BudgetConfig,
    pub rate_limit: RateLimitConfig,
    /// Called on every attempt's request headers, inside the attempt's span: the service writes
    /// the trace context (`traceparent`) there. `None` adds nothing.
    pub trace_headers: Option<fn(&mut reqwest::header::HeaderMap)>,
}

impl ClientConfig {
    /// Defaults everywhere except the credentials.
    pub fn new(token_id: impl Into<String>, token_secret: impl Into<String>) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            token_id: token_id.into(),
            token_secret: SecretString::from(token_secret.into()),
            request_timeout: Duration::from_secs(10),
            default_deadline: Duration::from_secs(30),
            rng_seed: None,
            alert_webhook_url: None,
            breaker: BreakerConfig::default(),
            retry: RetryConfig::default(),
            budget: BudgetConfig::default(),
            rate_limit: RateLimitConfig::default(),
            trace_headers: None,
        }
    }

    /// Same config pointed at another base URL (the emulator, a proxy).
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into().trim_end_matches('/').to_owned();
        self
    }
}

/// A setting the client cannot work with; reported once, at start-up.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("Mux base URL {0:?} is not an http(s) URL")]
    BaseUrl(String),
    #[error("invalid Mux client setting {name}: {reason}")]
    Invalid {
        name: &'static str,
        reason: &'static str,
    },
    #[error("could not build the HTTP client: {0}")]
    Http(String),
}

impl ClientConfig {
    /// Checks what would otherwise fail later or oddly (a zero rate would never admit a call).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|_| ConfigError::BaseUrl(self.base_url.clone()))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(ConfigError::BaseUrl(self.base_url.clone()));
        }
        let invalid = |name, reason| Err(ConfigError::Invalid { name, reason });
        if self.request_timeout.is_zero() {
            return invalid("request_timeout", "must be more than zero");
        }
        let breaker = &self.breaker;
        if breaker.failure_threshold == 0
            || breaker.half_open_max_in_flight == 0
            || breaker.half_open_successes_to_close == 0
        {
            return invalid("breaker", "thresholds must be at least 1");
        }
        if self.budget.window.is_zero() {
            return invalid("budget.window", "must be more than zero");
        }
        let rates = &self.rate_limit;
        let positive = |rate: f64| rate.is_finite() && rate > 0.0;
        if rates.enabled && !(positive(rates.post_per_second) && positive(rates.other_per_second)) {
            return invalid(
                "rate_limit",
                "rates must be positive numbers of requests per second",
            );
        }
        Ok(())
    }
}

/// Circuit breaker figures (docs/contract.md §5, docs/resilience.md §1.7).
#[derive(Debug, Clone, PartialEq)]
pub struct BreakerConfig {
    /// Consecutive counted failures (timeouts, connection errors, 5xx) that open a closed breaker.
    pub failure_threshold: u32,
    /// How long an open breaker rejects calls before letting probes through.
    pub open_duration: Duration,
    /// Probes allowed in flight at once while half-open.
    pub half_open_max_in_flight: u32,
    /// Probe successes that close a half-open breaker.
    pub half_open_successes_to_close: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            open_duration: Duration::from_secs(30),
            half_open_max_in_flight: 2,
            half_open_successes_to_close: 3,
        }
    }
}

/// Retry figures: at most `max_retries` per call, full-jitter exponential backoff.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryConfig {
    pub max_retries: u32,
    /// Ceiling of the first retry's delay; doubles per retry.
    pub base_delay: Duration,
    /// Ceiling of any computed delay (a larger `Retry-After` still wins, within the deadline).
    pub max_delay: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// Retry budget, per process (docs/contract.md §5; Finagle's `RetryBudget` with a floor): each first
/// attempt sent to Mux deposits `percent` % of a retry, each retry withdraws one, deposits and
/// withdrawals are forgotten after the rolling `window`, and `max_retries` retries per `window`
/// are always available on top. So in any rolling window, retries ≤ `max_retries` +
/// ⌊`percent` × first attempts / 100⌋. First attempts never consume it.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetConfig {
    /// The floor: retries per rolling `window` allowed whatever the traffic, even none.
    pub max_retries: u32,
    /// The rolling window of both the floor and the deposits (deposits expire after it).
    pub window: Duration,
    /// Share of the window's first attempts that may be retried, in whole percent.
    pub percent: u32,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        Self {
            max_retries: 10,
            window: Duration::from_secs(60),
            percent: 20,
        }
    }
}

/// Client-side pacing to Mux's published limits (docs/mux-facts.md §1.4).
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitConfig {
    /// `false` turns pacing off (benchmarks, tests that are about something else).
    pub enabled: bool,
    /// POST requests per second, sustained.
    pub post_per_second: f64,
    /// POST requests that may go at once after a quiet period.
    pub post_burst: u32,
    /// GET/PUT/PATCH/DELETE requests per second, sustained.
    pub other_per_second: f64,
    pub other_burst: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            post_per_second: 1.0,
            post_burst: 3,
            other_per_second: 5.0,
            other_burst: 10,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_token_secret() {
        let mut config = ClientConfig::new("token-id", "very-secret-value");
        config.alert_webhook_url = Some(SecretString::from("https://hooks.example/secret-path"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret-value"), "{shown}");
        assert!(!shown.contains("secret-path"), "{shown}");
        assert!(shown.contains("token-id"));
    }

    #[test]
    fn defaults_are_the_design_figures() {
        let config = ClientConfig::new("id", "secret");
        assert_eq!(config.base_url, "https://api.mux.com");
        assert_eq!(config.breaker.failure_threshold, 5);
        assert_eq!(config.breaker.open_duration, Duration::from_secs(30));
        assert_eq!(config.breaker.half_open_max_in_flight, 2);
        assert_eq!(config.breaker.half_open_successes_to_close, 3);
        assert_eq!(config.retry.max_retries, 3);
        assert_eq!(config.budget.max_retries, 10);
        assert_eq!(config.budget.window, Duration::from_secs(60));
        assert_eq!(config.budget.percent, 20);
        assert_eq!(config.rate_limit.post_per_second, 1.0);
        assert_eq!(config.rate_limit.other_per_second, 5.0);
        assert_eq!(config.validate(), Ok(()));
        let trimmed = config.with_base_url("http://127.0.0.1:9/");
        assert_eq!(trimmed.base_url, "http://127.0.0.1:9");
    }

    #[test]
    fn settings_that_cannot_work_are_refused() {
        let good = ClientConfig::new("id", "secret");
        let bad_url = good.clone().with_base_url("api.mux.com");
        assert_eq!(
            bad_url.validate(),
            Err(ConfigError::BaseUrl("api.mux.com".into()))
        );
        let mut zero_rate = good.clone();
        zero_rate.rate_limit.post_per_second = 0.0;
        assert!(matches!(
            zero_rate.validate(),
            Err(ConfigError::Invalid {
                name: "rate_limit",
                ..
            })
        ));
        zero_rate.rate_limit.enabled = false;
        assert_eq!(
            zero_rate.validate(),
            Ok(()),
            "rates do not matter when pacing is off"
        );
        let mut never_opens = good;
        never_opens.breaker.failure_threshold = 0;
        assert!(never_opens.validate().is_err());
    }
}
