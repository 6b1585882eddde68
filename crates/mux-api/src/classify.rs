//! Turns what the wire gave us (a transport error, or a status + headers + body) into a
//! [`MuxError`]. Kept apart from the HTTP code so the classifier table is tested without a server.

use std::time::{Duration, SystemTime};

use serde::Deserialize;

use crate::error::MuxError;

/// Classifies a transport-level failure from reqwest.
pub(crate) fn from_transport(err: &reqwest::Error) -> MuxError {
    if err.is_timeout() {
        MuxError::Timeout
    } else if err.is_builder() {
        MuxError::InvalidRequest {
            message: describe(err),
        }
    } else {
        // connect errors, resets, closed connections, truncated bodies: all worth another try.
        MuxError::Connection {
            message: describe(err),
        }
    }
}

/// The error text with its source chain (where "connection reset" lives), without the URL
/// (ids in URLs are not secrets, but messages stay short and the same across environments).
fn describe(err: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut message = err.to_string();
    if let Some(url) = err.url() {
        message = message
            .replace(&format!(" ({url})"), "")
            .replace(url.as_str(), "");
    }
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Classifies a non-2xx response. `now` is the wall clock, for `Retry-After: <HTTP date>`.
pub(crate) fn from_status(
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
    now: SystemTime,
) -> MuxError {
    let retry_after = retry_after.and_then(|value| parse_retry_after(value, now));
    match status {
        429 => MuxError::RateLimited { retry_after },
        408 | 500..=599 => MuxError::Server {
            status,
            retry_after,
        },
        _ => {
            let (error_type, messages) = parse_error_envelope(body);
            MuxError::Permanent {
                status,
                error_type,
                messages,
            }
        }
    }
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3). A date in the past means
/// "now" (zero); garbage or negative numbers are ignored.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Mux's error bodies: `{"error":{"type":…,"messages":[…]}}`, or on 429 `{"errors":[…]}`.
fn parse_error_envelope(body: &[u8]) -> (Option<String>, Vec<String>) {
    #[derive(Deserialize)]
    struct Envelope {
        error: Option<ErrorBody>,
        #[serde(default)]
        errors: Vec<serde_json::Value>,
    }
    #[derive(Deserialize)]
    struct ErrorBody {
        #[serde(rename = "type")]
        error_type: Option<String>,
        #[serde(default)]
        messages: Vec<String>,
        message: Option<String>,
    }
    match serde_json::from_slice::<Envelope>(body) {
        Ok(Envelope {
            error: Some(error), ..
        }) => {
            let mut messages = error.messages;
            messages.extend(error.message);
            (error.error_type, messages)
        }
        Ok(Envelope { errors, .. }) => (
            None,
            errors
                .into_iter()
                .map(|e| {
                    e.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| e.to_string())
                })
                .collect(),
        ),
        Err(_) => (None, Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{BreakerOutcome, ErrorKind};

    const NOW: fn() -> SystemTime = || SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);

    #[test]
    fn status_table() {
        // (status, kind, retryable, counts against the breaker)
        let table = [
            (500, ErrorKind::Transient, true, BreakerOutcome::Failure),
            (502, ErrorKind::Transient, true, BreakerOutcome::Failure),
            (503, ErrorKind::Transient, true, BreakerOutcome::Failure),
            (504, ErrorKind::Transient, true, BreakerOutcome::Failure),
            (408, ErrorKind::Transient, true, BreakerOutcome::Failure),
            (429, ErrorKind::RateLimited, true, BreakerOutcome::Ignored),
            (400, ErrorKind::Permanent, false, BreakerOutcome::Ignored),
            (401, ErrorKind::Permanent, false, BreakerOutcome::Ignored),
            (403, ErrorKind::Permanent, false, BreakerOutcome::Ignored),
            (404, ErrorKind::Permanent, false, BreakerOutcome::Ignored),
            (409, ErrorKind::Permanent, false, BreakerOutcome::Ignored),
            (422, ErrorKind::Permanent, false, BreakerOutcome::Ignored),
        ];
        for (status, kind, retryable, outcome) in table {
            let err = from_status(status, None, b"", NOW());
            assert_eq!(err.kind(), kind, "{status}");
            assert_eq!(err.is_retryable(), retryable, "{status}");
            assert_eq!(err.breaker_outcome(), outcome, "{status}");
            assert_eq!(err.status(), Some(status));
        }
    }

    #[test]
    fn transport_errors_are_transient_failures() {
        for err in [
            MuxError::Timeout,
            MuxError::Connection {
                message: "reset by peer".into(),
            },
        ] {
            assert_eq!(err.kind(), ErrorKind::Transient);
            assert!(err.is_retryable());
            assert_eq!(err.breaker_outcome(), BreakerOutcome::Failure);
        }
        let decode = MuxError::Decode {
            status: 200,
            message: "x".into(),
        };
        assert!(!decode.is_retryable());
        assert_eq!(decode.breaker_outcome(), BreakerOutcome::Ignored);
    }

    #[tokio::test]
    async fn real_connect_error_and_timeout_classify_as_transient() {
        let http = reqwest::Client::new();
        let refused = http.get("http://127.0.0.1:9/").send().await.unwrap_err();
        assert!(matches!(
            from_transport(&refused),
            MuxError::Connection { .. }
        ));

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let _hold = tokio::spawn(async move {
            let (_socket, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let slow = http
            .get(format!("http://{addr}/"))
            .timeout(Duration::from_millis(50))
            .send()
            .await
            .unwrap_err();
        assert_eq!(from_transport(&slow), MuxError::Timeout);
    }

    #[test]
    fn permanent_errors_carry_the_mux_envelope() {
        let body = br#"{"error":{"type":"not_found","messages":["gone"]}}"#;
        let err = from_status(404, None, body, NOW());
        assert_eq!(
            err,
            MuxError::Permanent {
                status: 404,
                error_type: Some("not_found".into()),
                messages: vec!["gone".into()]
            }
        );
        assert!(err.is_not_found());
        let odd = from_status(400, None, b"<html>", NOW());
        assert_eq!(
            odd,
            MuxError::Permanent {
                status: 400,
                error_type: None,
                messages: vec![]
            }
        );
        let plural = from_status(403, None, br#"{"errors":["Too many requests"]}"#, NOW());
        assert!(
            matches!(plural, MuxError::Permanent { messages, .. } if messages == ["Too many requests"])
        );
    }

    #[test]
    fn retry_after_in_seconds_and_http_date() {
        assert_eq!(parse_retry_after("7", NOW()), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", NOW()), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(NOW() + Duration::from_secs(12));
        assert_eq!(
            parse_retry_after(&later, NOW()),
            Some(Duration::from_secs(12))
        );
        let past = httpdate::fmt_http_date(NOW() - Duration::from_secs(12));
        assert_eq!(parse_retry_after(&past, NOW()), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-3", NOW()), None);
        assert_eq!(parse_retry_after("soon", NOW()), None);

        let limited = from_status(
            429,
            Some("3"),
            br#"{"errors":["Too many requests, retry later."]}"#,
            NOW(),
        );
        assert_eq!(
            limited,
            MuxError::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }
        );
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(3)));
        let unavailable = from_status(503, Some(&later), b"", NOW());
        assert_eq!(unavailable.retry_after(), Some(Duration::from_secs(12)));
    }
}
