//! Waiting for conditions, never for time: a condition in the page (a JavaScript expression) or
//! in the test (an async check, e.g. on the emulator), polled until it holds or a generous
//! deadline fails the test with what was awaited and, for the page, a screenshot.

use std::time::Duration;

use serde_json::{json, Value};

use super::driver::Browser;

/// How long any one condition may take before the test fails. Generous: a loaded CI machine is
/// slow, and a condition that holds returns as soon as it does.
const DEADLINE: Duration = Duration::from_secs(60);
/// How often a condition is asked again.
const POLL: Duration = Duration::from_millis(100);

/// Waits until `check` holds; fails the test naming `what` after [`DEADLINE`].
pub async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not happen within {DEADLINE:?}"
        );
        tokio::time::sleep(POLL).await;
    }
}

impl Browser {
    /// Waits until the JavaScript expression `js` is truthy in the page and returns its value.
    /// Errors (e.g. while the page reloads) count as "not yet"; the last one is reported with
    /// a screenshot and the console if the deadline passes.
    pub async fn wait_for(&self, what: &str, js: &str) -> Value {
        let script = format!("return ({js});");
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let last = match self.try_execute(&script, json!([])).await {
                Ok(value) if truthy(&value) => return value,
                Ok(value) => value,
                Err(error) => Value::String(error),
            };
            if tokio::time::Instant::now() >= deadline {
                self.shot(&format!("timeout-{}", slug(what))).await;
                let console = self.console().await.join("\n");
                panic!(
                    "{what} did not happen within {DEADLINE:?}\n  waited for: {js}\n  last: {last}\n  console:\n{console}"
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// JavaScript truthiness of a returned value.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// `what` as a file name: lowercase words joined by dashes.
pub fn slug(what: &str) -> String {
    what.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}
