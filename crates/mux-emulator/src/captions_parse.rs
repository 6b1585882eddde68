//! Caption files as Mux reads supplied text tracks (docs/mux-facts.md §10): WebVTT (a `WEBVTT`
//! header, cues timed `hh:mm:ss.mmm --> hh:mm:ss.mmm` or `mm:ss.mmm`) or SRT (numbered blocks
//! timed `00:00:01,000 --> 00:00:02,000`), parsed into cues; and cues written back as WebVTT
//! (what the stream host serves) or as plain text (one cue per line). A leaf: text in, text out.

/// One timed caption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    pub start_ms: u64,
    pub end_ms: u64,
    /// The cue's lines, joined with `\n`.
    pub text: String,
}

/// Why a file is not a caption file; the message goes into the track's `error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the file is neither WebVTT nor SRT")]
    UnknownFormat,
    #[error("line {line}: {what}")]
    Malformed { line: usize, what: String },
    #[error("the file has no cues")]
    NoCues,
}

/// Parses a WebVTT file (it starts with `WEBVTT`) or else an SRT file.
pub fn parse(text: &str) -> Result<Vec<Cue>, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let first = lines.first().copied().unwrap_or_default();
    let cues = if first == "WEBVTT" || first.starts_with("WEBVTT ") || first.starts_with("WEBVTT\t")
    {
        parse_blocks(&lines, 1, Format::WebVtt)?
    } else if lines.iter().any(|l| l.contains("-->")) {
        parse_blocks(&lines, 0, Format::Srt)?
    } else {
        return Err(ParseError::UnknownFormat);
    };
    if cues.is_empty() {
        return Err(ParseError::NoCues);
    }
    Ok(cues)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    WebVtt,
    Srt,
}

/// Parses the blank-line separated blocks from line index `from` on.
fn parse_blocks(lines: &[&str], from: usize, format: Format) -> Result<Vec<Cue>, ParseError> {
    let mut cues = Vec::new();
    let mut at = from;
    if format == Format::WebVtt {
        // The header block may carry more lines (e.g. `Kind:`) up to the first blank line.
        while at < lines.len() && !lines[at].trim().is_empty() {
            at += 1;
        }
    }
    while at < lines.len() {
        if lines[at].trim().is_empty() {
            at += 1;
            continue;
        }
        let start = at;
        while at < lines.len() && !lines[at].trim().is_empty() {
            at += 1;
        }
        let block = &lines[start..at];
        if format == Format::WebVtt
            && ["NOTE", "STYLE", "REGION"]
                .iter()
                .any(|k| block[0] == *k || block[0].starts_with(&format!("{k} ")))
        {
            continue;
        }
        cues.push(parse_cue(block, start, format)?);
    }
    Ok(cues)
}

/// One cue block: an optional identifier (SRT: its number), the timing line, the text.
fn parse_cue(block: &[&str], first_line: usize, format: Format) -> Result<Cue, ParseError> {
    let malformed = |offset: usize, what: &str| ParseError::Malformed {
        line: first_line + offset + 1,
        what: what.to_owned(),
    };
    let timing_at = match block.iter().position(|l| l.contains("-->")) {
        Some(i @ (0 | 1)) => i,
        _ => return Err(malformed(0, "a cue without a timing line (start --> end)")),
    };
    if format == Format::Srt && timing_at == 1 && block[0].trim().parse::<u64>().is_err() {
        return Err(malformed(0, "an SRT cue must start with its number"));
    }
    let timing = block[timing_at];
    let (start, rest) = timing
        .split_once("-->")
        .ok_or_else(|| malformed(timing_at, "no -->"))?;
    let end = rest.split_whitespace().next().unwrap_or_default();
    let start_ms = timestamp(start.trim(), format)
        .ok_or_else(|| malformed(timing_at, &format!("bad start time {:?}", start.trim())))?;
    let end_ms = timestamp(end, format)
        .ok_or_else(|| malformed(timing_at, &format!("bad end time {end:?}")))?;
    if end_ms < start_ms {
        return Err(malformed(timing_at, "the cue ends before it starts"));
    }
    Ok(Cue {
        start_ms,
        end_ms,
        text: block[timing_at + 1..].join("\n"),
    })
}

/// `hh:mm:ss.mmm` or `mm:ss.mmm` (WebVTT), `hh:mm:ss,mmm` (SRT; a `.` is tolerated), in ms.
fn timestamp(s: &str, format: Format) -> Option<u64> {
    let separator = if format == Format::Srt && s.contains(',') {
        ','
    } else {
        '.'
    };
    let (clock, millis) = s.split_once(separator)?;
    if millis.len() != 3 || !millis.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let parts: Vec<&str> = clock.split(':').collect();
    let (h, m, sec) = match (parts.as_slice(), format) {
        ([h, m, s], _) => (*h, *m, *s),
        ([m, s], Format::WebVtt) => ("0", *m, *s),
        _ => return None,
    };
    let number = |v: &str, max: u64| {
        (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .then(|| v.parse::<u64>().ok())
            .flatten()
            .filter(|n| *n <= max)
    };
    let (h, m, sec) = (
        number(h, u64::MAX / 3_600_000)?,
        number(m, 59)?,
        number(sec, 59)?,
    );
    Some(((h * 60 + m) * 60 + sec) * 1000 + millis.parse::<u64>().ok()?)
}

fn format_timestamp(ms: u64) -> String {
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    format!("{h:02}:{m:02}:{:02}.{:03}", rest / 1000, rest % 1000)
}

/// The cues as a WebVTT file.
pub fn to_webvtt(cues: &[Cue]) -> String {
    let mut out = String::from("WEBVTT\n");
    for cue in cues {
        out.push_str(&format!(
            "\n{} --> {}\n{}\n",
            format_timestamp(cue.start_ms),
            format_timestamp(cue.end_ms),
            cue.text
        ));
    }
    out
}

/// The cue texts, one cue per line (a cue's lines joined by spaces, markup tags removed).
pub fn to_text(cues: &[Cue]) -> String {
    let mut out = String::new();
    for cue in cues {
        let mut plain = String::new();
        let mut in_tag = false;
        for c in cue.text.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                '\n' if !in_tag => plain.push(' '),
                c if !in_tag => plain.push(c),
                _ => {}
            }
        }
        out.push_str(plain.trim());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(start_ms: u64, end_ms: u64, text: &str) -> Cue {
        Cue {
            start_ms,
            end_ms,
            text: text.into(),
        }
    }

    #[test]
    fn reads_webvtt_with_both_timestamp_forms_notes_and_settings() {
        let vtt = "\u{feff}WEBVTT - a title\r\nKind: captions\r\n\r\nNOTE a comment\r\nspanning lines\r\n\r\nintro\r\n00:01.000 --> 00:02.500 align:start\r\nHello <b>there</b>\r\nfriend\r\n\r\n01:00:00.000 --> 01:00:01.000\r\nLater\r\n";
        let cues = parse(vtt).unwrap();
        assert_eq!(
            cues,
            [
                cue(1000, 2500, "Hello <b>there</b>\nfriend"),
                cue(3_600_000, 3_601_000, "Later")
            ]
        );
        assert_eq!(to_text(&cues), "Hello there friend\nLater\n");
    }

    #[test]
    fn reads_srt() {
        let srt = "1\n00:00:01,000 --> 00:00:02,000\nFirst line\n\n2\n00:00:02,000 --> 00:00:04,250\nSecond\nline\n";
        assert_eq!(
            parse(srt).unwrap(),
            [
                cue(1000, 2000, "First line"),
                cue(2000, 4250, "Second\nline")
            ]
        );
    }

    #[test]
    fn refuses_what_is_not_a_caption_file() {
        assert_eq!(parse("just some text\n"), Err(ParseError::UnknownFormat));
        assert_eq!(parse(""), Err(ParseError::UnknownFormat));
        assert_eq!(parse("WEBVTT\n"), Err(ParseError::NoCues));
        for bad in [
            "WEBVTT\n\n00:01.000 -> 00:02.000\nno arrow\n",
            "WEBVTT\n\n00:01 --> 00:02.000\nno millis\n",
            "WEBVTT\n\n00:03.000 --> 00:02.000\nbackwards\n",
            "WEBVTT\n\n00:61.000 --> 01:02.000\nsecond 61\n",
            "1\n00:01,000 --> 00:00:02,000\nSRT needs hours\n",
            "one\n00:00:01,000 --> 00:00:02,000\nnot numbered\n",
        ] {
            assert!(
                matches!(parse(bad), Err(ParseError::Malformed { .. })),
                "{bad:?}: {:?}",
                parse(bad)
            );
        }
    }

    #[test]
    fn writes_webvtt_that_reads_back() {
        let cues = vec![cue(0, 2000, "a b"), cue(3_723_004, 3_725_000, "c")];
        let vtt = to_webvtt(&cues);
        assert!(vtt.starts_with("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\na b\n"));
        assert!(vtt.contains("01:02:03.004 --> 01:02:05.000"));
        assert_eq!(parse(&vtt).unwrap(), cues);
    }
}
