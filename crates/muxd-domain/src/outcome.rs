//! What muxd did with a webhook event it received: applied, a duplicate, ignored, waiting for its
//! row (unmatched), or failed.

use std::fmt;
use std::str::FromStr;

/// What muxd did with a webhook event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It matched a row and was applied (possibly changing nothing, if late).
    Applied,
    /// Its id had been seen before; nothing was done.
    Duplicate,
    /// A type muxd does not track; stored only.
    Ignored,
    /// No row matched yet; it is applied when the row appears.
    Unmatched,
    /// Applying it failed; the detail says why.
    Failed,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Applied,
        Outcome::Duplicate,
        Outcome::Ignored,
        Outcome::Unmatched,
        Outcome::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Duplicate => "duplicate",
            Outcome::Ignored => "ignored",
            Outcome::Unmatched => "unmatched",
            Outcome::Failed => "failed",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Outcome {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == text)
            .ok_or(())
    }
}
