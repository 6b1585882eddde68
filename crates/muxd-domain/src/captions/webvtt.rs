//! WebVTT: a `WEBVTT` line (optionally followed by a space or tab and any text), header lines up
//! to a blank line, then blocks. `NOTE`, `STYLE` and `REGION` blocks are skipped; a cue is an
//! optional identifier line, a timing line `[hh:]mm:ss.mmm --> [hh:]mm:ss.mmm [settings]` and
//! its text lines up to a blank line (or up to a line holding `-->`, which starts the next cue).
//! A cue's text may be empty, as WebVTT allows.

use super::{check_count, is_blank, timing, CaptionError, Clock, Cue};

/// The cues of a WebVTT file's `lines` (BOM already removed).
pub(super) fn parse(lines: &[&str]) -> Result<Vec<Cue>, CaptionError> {
    let header = lines.first().copied().unwrap_or_default();
    let signature = header
        .strip_prefix("WEBVTT")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']));
    if !signature {
        return Err(CaptionError::at(
            1,
            "missing header: a WebVTT file starts with a line \"WEBVTT\"",
        ));
    }
    let mut i = 1;
    while i < lines.len() && !is_blank(lines[i]) {
        if lines[i].contains("-->") {
            return Err(CaptionError::at(
                i + 1,
                "a blank line must separate the header from the first cue",
            ));
        }
        i += 1;
    }
    let mut cues = Vec::new();
    loop {
        while i < lines.len() && is_blank(lines[i]) {
            i += 1;
        }
        let Some(first) = lines.get(i) else {
            return Ok(cues);
        };
        if !first.contains("-->") && ["NOTE", "STYLE", "REGION"].iter().any(|k| opens(first, k)) {
            while i < lines.len() && !is_blank(lines[i]) {
                i += 1;
            }
            continue;
        }
        let timing_at = if first.contains("-->") { i } else { i + 1 };
        match lines.get(timing_at) {
            Some(line) if timing_at > i && !is_blank(line) && !line.contains("-->") => {
                return Err(CaptionError::at(
                    timing_at + 1,
                    "expected a cue timing line: start --> end",
                ));
            }
            Some(line) if !is_blank(line) => {}
            _ => {
                return Err(CaptionError::at(
                    i + 1,
                    "expected a cue: an optional identifier line, then a timing line start --> end",
                ));
            }
        }
        check_count(&cues, i + 1)?;
        let (start_ms, end_ms) = timing(lines[timing_at], timing_at + 1, Clock::WebVtt)?;
        i = timing_at + 1;
        let text_from = i;
        while i < lines.len() && !is_blank(lines[i]) && !lines[i].contains("-->") {
            i += 1;
        }
        cues.push(Cue {
            start_ms,
            end_ms,
            text: lines[text_from..i].join("\n"),
        });
    }
}

/// Whether `line` opens a block of `keyword`: the keyword alone, or followed by a space or tab.
fn opens(line: &str, keyword: &str) -> bool {
    line.strip_prefix(keyword)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}
