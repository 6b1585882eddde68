//! Reading settings through their [`Setting`] entries: the raw value or the table's default,
//! parsed, with every problem collected (not the first one only) and each named with its fix.

use std::collections::HashMap;
use std::str::FromStr;

use super::table::Setting;
use super::Problem;

/// Reads one set of variables, collecting problems.
pub(super) struct Reader<'a> {
    vars: &'a HashMap<String, String>,
    pub problems: Vec<Problem>,
}

impl<'a> Reader<'a> {
    pub fn new(vars: &'a HashMap<String, String>) -> Self {
        Self {
            vars,
            problems: Vec::new(),
        }
    }

    /// The value set (trimmed; blank counts as unset).
    pub fn raw(&self, setting: &Setting) -> Option<&'a str> {
        self.vars
            .get(setting.name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The value set, else the default, if either.
    pub fn optional(&self, setting: &Setting) -> Option<String> {
        self.raw(setting)
            .or(Some(setting.default).filter(|d| !d.is_empty()))
            .map(str::to_owned)
    }

    /// The value set or the default, parsed; a problem (and `None`) when it does not parse.
    pub fn parsed<T: FromStr>(&mut self, setting: &Setting) -> Option<T> {
        let text = self.raw(setting).unwrap_or(setting.default);
        let value = text.parse().ok();
        if value.is_none() {
            self.problem(
                setting,
                format!("{text:?} is not {}", setting.expected),
                format!(
                    "set {} to {}, or unset it for the default {}",
                    setting.name, setting.expected, setting.default
                ),
            );
        }
        value
    }

    /// The value set; when `needed` and unset, a "missing" problem whose fix is `expected`.
    pub fn required(&mut self, setting: &Setting, needed: bool) -> Option<String> {
        let value = self.raw(setting).map(str::to_owned);
        if value.is_none() && needed {
            self.problem(setting, "missing".into(), setting.expected.into());
        }
        value
    }

    /// A comma-separated list, blanks dropped.
    pub fn list(&self, setting: &Setting) -> Vec<String> {
        self.raw(setting).map(split).unwrap_or_default()
    }

    /// Records a problem with `setting`.
    pub fn problem(&mut self, setting: &Setting, problem: String, fix: String) {
        self.problems.push(Problem {
            setting: setting.name,
            problem,
            fix,
        });
    }
}

/// Splits a comma-separated list, dropping blanks.
pub fn split(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
