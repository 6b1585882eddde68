//! Limits of this service that only Mux's answer can reveal, checked once an asset is ready:
//! today its duration (`MUXD_MAX_DURATION_SECS`). A refusal is an error in plain words, from
//! muxd ([`ErrorSource::Muxd`]), so the owner knows why their video will not play.

use super::event::{ErrorInfo, ErrorSource};

/// The error type of a video longer than allowed.
pub const DURATION_LIMIT: &str = "duration_limit";

/// Why an asset of `duration_s` seconds is refused when videos may last `max_s` seconds (0: no
/// limit), or `None` when it is within the limit.
pub fn duration_refusal(duration_s: Option<f64>, max_s: u64) -> Option<ErrorInfo> {
    let duration = duration_s.filter(|d| max_s > 0 && *d > max_s as f64)?;
    Some(ErrorInfo {
        kind: DURATION_LIMIT.to_owned(),
        message: format!(
            "This video is {} long; videos here may be at most {}. It was not kept.",
            spoken(duration.round() as u64),
            spoken(max_s)
        ),
        source: ErrorSource::Muxd,
    })
}

/// `75` → "1 min 15 s", `3600` → "1 h", `42` → "42 s".
fn spoken(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let parts: Vec<String> = [(h, "h"), (m, "min"), (s, "s")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    if parts.is_empty() {
        "0 s".into()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_video_longer_than_the_limit_is_refused() {
        assert_eq!(duration_refusal(Some(600.0), 600), None);
        assert_eq!(duration_refusal(Some(601.0), 0), None);
        assert_eq!(duration_refusal(None, 600), None);
        let refused = duration_refusal(Some(725.4), 600).unwrap();
        assert_eq!(refused.kind, "duration_limit");
        assert_eq!(refused.source, ErrorSource::Muxd);
        assert_eq!(
            refused.message,
            "This video is 12 min 5 s long; videos here may be at most 10 min. It was not kept."
        );
    }

    #[test]
    fn durations_are_said_in_words() {
        assert_eq!(spoken(42), "42 s");
        assert_eq!(spoken(3_600), "1 h");
        assert_eq!(spoken(3_675), "1 h 1 min 15 s");
        assert_eq!(spoken(0), "0 s");
    }
}
