//! Accessibility checks with axe-core: the copy `.ci/run` installs under
//! `target/browser-deps` (never committed) is injected into the page, and a page passes when axe
//! finds no violation of impact serious or critical. Without axe-core a check says loudly that it
//! skipped, unless `CI=true`.

use serde_json::{json, Value};

use super::driver::{missing, Browser};
use super::shots::target_dir;

/// axe-core's script, or `None` (after saying so) when it is not installed outside CI.
pub fn axe_script() -> Option<String> {
    let path = target_dir().join("browser-deps/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(script) => Some(script),
        Err(_) => {
            missing(
                &format!("axe-core at {}", path.display()),
                "npm install --prefix target/browser-deps axe-core@4",
            );
            None
        }
    }
}

/// Runs axe on the current page and returns the violations as `{id, impact, help, nodes}`.
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ["violations"] })
  .then(result => done(result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + n.failureSummary),
  }))))
  .catch(error => done([{ id: "axe-error", impact: "critical", help: String(error), nodes: [] }]));
"#;

impl Browser {
    /// Fails the test, listing them, if axe finds serious or critical violations on the page
    /// (`page` names it in the message).
    pub async fn assert_accessible(&self, axe: &str, page: &str) {
        let loaded = self
            .execute("return typeof axe !== 'undefined';", json!([]))
            .await;
        if loaded != true {
            self.execute(axe, json!([])).await;
        }
        let violations = self.execute_async(RUN_AXE, json!([])).await;
        let serious: Vec<&Value> = violations
            .as_array()
            .expect("a list of violations")
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(
            serious.is_empty(),
            "axe found {} serious or critical violations on {page}:\n{}",
            serious.len(),
            serde_json::to_string_pretty(&serious).unwrap()
        );
    }
}
