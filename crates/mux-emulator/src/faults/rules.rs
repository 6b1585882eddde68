//! API fault rules: which requests they hit and what they do to them.

use serde::{Deserialize, Serialize};

/// One API fault rule, e.g. `{"method":"POST","path":"/video/v1/uploads","kind":"error",
/// "status":503,"rate":0.5}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiFaultRule {
    /// HTTP method to match; `None` matches all.
    #[serde(default)]
    pub method: Option<String>,
    /// Path pattern: `*` matches one segment, a trailing `**` matches the rest; `"**"` matches
    /// every path. Control routes (`/_emulator/…`) are never faulted.
    #[serde(default = "any_path")]
    pub path: String,
    /// Probability that a matching request is hit.
    #[serde(default = "always")]
    pub rate: f64,
    /// Stop after this many hits (`None` = forever).
    #[serde(default)]
    pub times: Option<u32>,
    #[serde(flatten)]
    pub action: ApiFaultAction,
}

/// What a rule does to a request it hits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApiFaultAction {
    /// Answer with this status instead of handling the request (500/502/503 get a Mux error
    /// envelope, 429 the rate-limit body of docs/mux-facts.md §1.3), with `Retry-After` if set.
    Error {
        status: u16,
        #[serde(default)]
        retry_after_s: Option<u64>,
    },
    /// Wait this long before handling the request.
    Latency { ms: u64 },
    /// Close the connection without any response.
    Drop,
}

fn any_path() -> String {
    "**".to_owned()
}

fn always() -> f64 {
    1.0
}

impl ApiFaultRule {
    pub fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m == "*" || m.eq_ignore_ascii_case(method));
        method_ok && path_matches(&self.path, path)
    }
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.trim_matches('/').split('/');
    let mut got = path.trim_matches('/').split('/');
    loop {
        match (want.next(), got.next()) {
            (Some("**"), _) => return true,
            (Some(w), Some(g)) if w == "*" || w == g => continue,
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(method: Option<&str>, path: &str) -> ApiFaultRule {
        ApiFaultRule {
            method: method.map(str::to_owned),
            path: path.to_owned(),
            rate: 1.0,
            times: None,
            action: ApiFaultAction::Drop,
        }
    }

    #[test]
    fn patterns_match_segments() {
        assert!(rule(None, "**").matches("GET", "/video/v1/assets"));
        assert!(rule(Some("post"), "/video/v1/uploads").matches("POST", "/video/v1/uploads"));
        assert!(!rule(Some("GET"), "/video/v1/uploads").matches("POST", "/video/v1/uploads"));
        assert!(rule(None, "/video/v1/assets/*").matches("GET", "/video/v1/assets/abc"));
        assert!(!rule(None, "/video/v1/assets/*").matches("GET", "/video/v1/assets"));
        assert!(rule(None, "/upload/**").matches("PUT", "/upload/abc"));
        assert!(!rule(None, "/video/v1/uploads").matches("GET", "/video/v1/uploads/x"));
    }

    #[test]
    fn rules_deserialize_from_the_documented_json() {
        let r: ApiFaultRule = serde_json::from_str(
            r#"{"method":"POST","path":"/video/v1/uploads","kind":"error","status":429,"retry_after_s":2}"#,
        )
        .unwrap();
        assert_eq!(
            r.action,
            ApiFaultAction::Error {
                status: 429,
                retry_after_s: Some(2)
            }
        );
        assert_eq!(r.rate, 1.0);
        let d: ApiFaultRule = serde_json::from_str(r#"{"kind":"drop","rate":0.5}"#).unwrap();
        assert_eq!(d.path, "**");
    }
}
