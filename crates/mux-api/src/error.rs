//! The one error type of every Mux call, and the two questions the resilience layer asks of it:
//! may it be retried, and does it count against the breaker.
//!
//! How HTTP outcomes become these variants lives in `classify.rs`.

use std::time::Duration;

/// Why a Mux call failed. No variant ever carries the token secret.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MuxError {
    /// The attempt ran past its timeout (the request timeout or the caller's deadline).
    #[error("Mux request timed out")]
    Timeout,
    /// Connecting failed, or the connection was reset/closed mid-request.
    #[error("connection to Mux failed: {message}")]
    Connection { message: String },
    /// Mux answered 5xx (or 408). `retry_after` is set when it sent `Retry-After`.
    #[error("Mux server error {status}")]
    Server {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// Mux answered 429. `retry_after` is set when it sent `Retry-After` (seconds or HTTP date).
    #[error("Mux is rate limiting requests{}", after(*retry_after))]
    RateLimited { retry_after: Option<Duration> },
    /// Any other 4xx, with Mux's error envelope when it sent one. Never retried.
    #[error("Mux rejected the request: {status} {error_type:?} {messages:?}")]
    Permanent {
        status: u16,
        error_type: Option<String>,
        messages: Vec<String>,
    },
    /// The request could not be built (bad base URL, bad id). Never retried.
    #[error("invalid request: {message}")]
    InvalidRequest { message: String },
    /// A response body that is not the JSON we expect. Never retried.
    #[error("could not decode Mux response (status {status}): {message}")]
    Decode { status: u16, message: String },
    /// The circuit breaker is open; nothing was sent. Try again after `retry_after`.
    #[error("Mux is failing, so calls are paused{}", after(Some(*retry_after)))]
    BreakerOpen { retry_after: Duration },
    /// A retry was due but the process-wide retry budget is spent; `last` is the attempt's error.
    #[error("too many Mux calls are failing to retry this one; last error: {last}")]
    BudgetExhausted { last: Box<MuxError> },
    /// Local rate pacing would have to wait `wait`, which ends past the caller's deadline.
    #[error("too many Mux calls at once: the next slot is{} away, past the deadline", after_secs(*wait))]
    Throttled { wait: Duration },
    /// The caller's deadline passed before an attempt could start.
    #[error("deadline exceeded before the call could be made")]
    DeadlineExceeded,
}

/// " (retry in N s)" for a message, or nothing.
fn after(retry_after: Option<Duration>) -> String {
    retry_after
        .map(|d| format!(" (retry in{})", after_secs(d)))
        .unwrap_or_default()
}

/// " N s", rounded up to whole seconds.
fn after_secs(duration: Duration) -> String {
    format!(" {} s", duration.as_millis().div_ceil(1000))
}

/// The coarse class of a [`MuxError`], for metrics labels and for callers that branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    Transient,
    RateLimited,
    Permanent,
    Decode,
    BreakerOpen,
    BudgetExhausted,
    Throttled,
    DeadlineExceeded,
}

impl ErrorKind {
    /// Stable snake_case name (metrics label, logs).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Transient => "transient",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Permanent => "permanent",
            ErrorKind::Decode => "decode",
            ErrorKind::BreakerOpen => "breaker_open",
            ErrorKind::BudgetExhausted => "budget_exhausted",
            ErrorKind::Throttled => "throttled",
            ErrorKind::DeadlineExceeded => "deadline_exceeded",
        }
    }
}

/// What an attempt's result means to the circuit breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerOutcome {
    /// Mux answered properly.
    Success,
    /// A counted failure: timeout, connection error, 5xx.
    Failure,
    /// Says nothing about Mux's health (4xx, 429, undecodable 2xx): frees the permit only.
    Ignored,
}

impl MuxError {
    /// The class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            MuxError::Timeout | MuxError::Connection { .. } | MuxError::Server { .. } => {
                ErrorKind::Transient
            }
            MuxError::RateLimited { .. } => ErrorKind::RateLimited,
            MuxError::Permanent { .. } | MuxError::InvalidRequest { .. } => ErrorKind::Permanent,
            MuxError::Decode { .. } => ErrorKind::Decode,
            MuxError::BreakerOpen { .. } => ErrorKind::BreakerOpen,
            MuxError::BudgetExhausted { .. } => ErrorKind::BudgetExhausted,
            MuxError::Throttled { .. } => ErrorKind::Throttled,
            MuxError::DeadlineExceeded => ErrorKind::DeadlineExceeded,
        }
    }

    /// Whether another attempt may help: transient errors and 429.
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind(), ErrorKind::Transient | ErrorKind::RateLimited)
    }

    /// The server's `Retry-After`, when it sent one; a floor for the next delay.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            MuxError::Server { retry_after, .. } | MuxError::RateLimited { retry_after } => {
                *retry_after
            }
            MuxError::BreakerOpen { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// HTTP status Mux answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            MuxError::Server { status, .. }
            | MuxError::Permanent { status, .. }
            | MuxError::Decode { status, .. } => Some(*status),
            MuxError::RateLimited { .. } => Some(429),
            MuxError::BudgetExhausted { last } => last.status(),
            _ => None,
        }
    }

    /// Whether Mux may have acted on the request: its last attempt reached Mux and nothing says
    /// it did not (a timeout, a dropped connection, a 5xx, or a 2xx we could not read). A 429,
    /// any other 4xx, an open breaker, local pacing and a passed deadline mean it did not.
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            MuxError::BudgetExhausted { last } => last.may_have_been_applied(),
            MuxError::Timeout
            | MuxError::Connection { .. }
            | MuxError::Server { .. }
            | MuxError::Decode { .. } => true,
            _ => false,
        }
    }

    /// Whether this is a 404 from Mux (the resource is gone or never existed).
    pub fn is_not_found(&self) -> bool {
        matches!(self, MuxError::Permanent { status: 404, .. })
    }

    pub(crate) fn breaker_outcome(&self) -> BreakerOutcome {
        match self.kind() {
            ErrorKind::Transient => BreakerOutcome::Failure,
            _ => BreakerOutcome::Ignored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_sentences_without_debug_text() {
        let limited = MuxError::RateLimited {
            retry_after: Some(Duration::from_millis(1500)),
        };
        assert_eq!(
            limited.to_string(),
            "Mux is rate limiting requests (retry in 2 s)"
        );
        let spent = MuxError::BudgetExhausted {
            last: Box::new(limited),
        };
        assert!(!spent.to_string().contains("Some("), "{spent}");
        let open = MuxError::BreakerOpen {
            retry_after: Duration::from_secs(30),
        };
        assert_eq!(
            open.to_string(),
            "Mux is failing, so calls are paused (retry in 30 s)"
        );
    }

    #[test]
    fn only_an_attempt_that_reached_mux_unanswered_may_have_been_applied() {
        let limited = MuxError::RateLimited { retry_after: None };
        assert!(!limited.may_have_been_applied());
        assert!(!MuxError::BudgetExhausted {
            last: Box::new(limited)
        }
        .may_have_been_applied());
        assert!(MuxError::BudgetExhausted {
            last: Box::new(MuxError::Timeout)
        }
        .may_have_been_applied());
        assert!(MuxError::Server {
            status: 503,
            retry_after: None
        }
        .may_have_been_applied());
        assert!(!MuxError::BreakerOpen {
            retry_after: Duration::from_secs(1)
        }
        .may_have_been_applied());
    }
}
