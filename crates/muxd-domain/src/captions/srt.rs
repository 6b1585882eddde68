//! SRT (SubRip): blocks of a cue number, a timing line `hh:mm:ss,mmm --> hh:mm:ss,mmm` and one or
//! more text lines, separated by blank lines. Tolerated: a missing number (the timing line opens
//! the block), a `.` for the `,`, one-digit hours, coordinates after the end time, a missing
//! blank line before the next numbered block, no blank line at the end. A block without text is
//! an error.

use super::{check_count, is_blank, timing, CaptionError, Clock, Cue};

/// The cues of an SRT file's `lines` (BOM already removed).
pub(super) fn parse(lines: &[&str]) -> Result<Vec<Cue>, CaptionError> {
    let mut cues = Vec::new();
    let mut i = 0;
    loop {
        while i < lines.len() && is_blank(lines[i]) {
            i += 1;
        }
        let Some(first) = lines.get(i) else {
            return Ok(cues);
        };
        check_count(&cues, i + 1)?;
        if !first.contains("-->") {
            if !is_number(first) {
                return Err(CaptionError::at(
                    i + 1,
                    "expected a cue number or a timing line",
                ));
            }
            i += 1;
        }
        let timing_at = i;
        let line = lines.get(i).copied().unwrap_or_default();
        if is_blank(line) || !line.contains("-->") {
            return Err(CaptionError::at(
                i + 1,
                "expected a timing line: hh:mm:ss,mmm --> hh:mm:ss,mmm",
            ));
        }
        let (start_ms, end_ms) = timing(line, i + 1, Clock::Srt)?;
        i += 1;
        let text_from = i;
        while i < lines.len() && !is_blank(lines[i]) && !next_block(lines, i) {
            i += 1;
        }
        if i == text_from {
            return Err(CaptionError::at(timing_at + 1, "the cue has no text"));
        }
        cues.push(Cue {
            start_ms,
            end_ms,
            text: lines[text_from..i].join("\n"),
        });
    }
}

/// A cue number line.
fn is_number(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit())
}

/// Whether line `i` opens a new block that lacks its blank line: a number, then a timing line.
fn next_block(lines: &[&str], i: usize) -> bool {
    is_number(lines[i]) && lines.get(i + 1).is_some_and(|next| next.contains("-->"))
}
