//! The run's report: figures of the workload, the faults, the calls made and convergence, then
//! each invariant with its checks and violations. Printed, and written to a file whose path is
//! printed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;

use super::invariants::Check;

#[derive(Default)]
pub struct Report {
    pub lines: Vec<String>,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn line(&mut self, text: impl Into<String>) {
        self.lines.push(text.into());
    }

    /// Counts of `values` by `key`, as `k=n, …`.
    pub fn tally<'a>(
        values: impl Iterator<Item = &'a Value>,
        key: impl Fn(&Value) -> String,
    ) -> String {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for v in values {
            *counts.entry(key(v)).or_default() += 1;
        }
        counts
            .iter()
            .map(|(k, n)| format!("{k}={n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Each violation, named by its invariant.
    pub fn violations(&self) -> Vec<String> {
        self.checks
            .iter()
            .flat_map(|c| {
                c.violations
                    .iter()
                    .map(move |v| format!("[{}] {v}", c.name))
            })
            .collect()
    }

    /// Prints the report and writes it to `path`.
    pub fn finish(&self, path: PathBuf) {
        let mut text = String::from("==== muxd chaos report ====\n");
        for line in &self.lines {
            let _ = writeln!(text, "{line}");
        }
        let _ = writeln!(text, "-- invariants --");
        for check in &self.checks {
            let verdict = if check.violations.is_empty() {
                "ok"
            } else {
                "VIOLATED"
            };
            let _ = writeln!(
                text,
                "{verdict:8} {}: {} checks, {} violations",
                check.name,
                check.checks,
                check.violations.len()
            );
            for v in check.violations.iter().take(20) {
                let _ = writeln!(text, "           - {v}");
            }
            if check.violations.len() > 20 {
                let _ = writeln!(text, "           - … {} more", check.violations.len() - 20);
            }
        }
        std::fs::write(&path, &text).expect("report written");
        println!("{text}report: {}", path.display());
    }
}
