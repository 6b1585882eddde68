//! Caption files, pure: parsing WebVTT and SRT into [`Cue`]s (errors name the 1-based line),
//! writing cues back as canonical WebVTT, the plain text of a cue (for reading and for the
//! transcript index), and checking language codes. Mux's side of captions (generated captions,
//! supplied text tracks) is in docs/mux-facts.md §10. Nothing here does I/O; the caller checks
//! that a file is UTF-8 and hands over a `&str`.

mod language;
mod srt;
mod text;
mod webvtt;

pub use language::{parse_language, GENERATED_LANGUAGES};

/// The largest caption file muxd accepts, in bytes.
pub const MAX_CAPTION_BYTES: usize = 512 * 1024;
/// The most cues a caption file may hold.
pub const MAX_CUES: usize = 20_000;

/// One timed piece of caption text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cue {
    pub start_ms: u64,
    pub end_ms: u64,
    /// The cue's text as written (WebVTT tags and entities included), lines joined by `\n`.
    pub text: String,
}

impl Cue {
    /// The text without WebVTT tags (`<v Name>`, `<i>`, `<c.x>`, `<00:00:01.000>`), with the
    /// entities `&amp; &lt; &gt; &quot; &apos;` decoded, `&nbsp;` as a plain space and the
    /// invisible `&lrm; &rlm;` dropped, every run of whitespace (line breaks included) one space.
    pub fn plain_text(&self) -> String {
        text::plain(&self.text)
    }
}

/// Why a caption file was refused: the 1-based line and what is wrong there.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CaptionError {
    pub line: usize,
    pub message: String,
}

impl CaptionError {
    pub(crate) fn at(line: usize, message: impl Into<String>) -> CaptionError {
        CaptionError {
            line,
            message: message.into(),
        }
    }
}

/// The caption file formats muxd reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptionFormat {
    WebVtt,
    Srt,
}

impl CaptionFormat {
    /// The format of a `Content-Type`: `text/vtt` is WebVTT; `application/x-subrip`,
    /// `application/srt` and `text/srt` are SRT (all seen in the wild). Case and parameters
    /// (`; charset=utf-8`) are ignored. Anything else is `None`.
    pub fn from_content_type(content_type: &str) -> Option<CaptionFormat> {
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        match essence.to_ascii_lowercase().as_str() {
            "text/vtt" => Some(CaptionFormat::WebVtt),
            "application/x-subrip" | "application/srt" | "text/srt" => Some(CaptionFormat::Srt),
            _ => None,
        }
    }
}

/// The cues of a caption file, in file order. Refuses files over [`MAX_CAPTION_BYTES`], with
/// more than [`MAX_CUES`] cues, or with no cue at all.
pub fn parse(format: CaptionFormat, text: &str) -> Result<Vec<Cue>, CaptionError> {
    if text.len() > MAX_CAPTION_BYTES {
        return Err(CaptionError::at(
            1,
            format!(
                "the file is {} bytes; caption files may be at most {MAX_CAPTION_BYTES}",
                text.len()
            ),
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = split_lines(text);
    let cues = match format {
        CaptionFormat::WebVtt => webvtt::parse(&lines)?,
        CaptionFormat::Srt => srt::parse(&lines)?,
    };
    if cues.is_empty() {
        return Err(CaptionError::at(lines.len().max(1), "no cues"));
    }
    Ok(cues)
}

/// Canonical WebVTT: `WEBVTT`, a blank line, then each cue as a `hh:mm:ss.mmm --> hh:mm:ss.mmm`
/// line, its text lines and a blank line. Text is written as is (so [`parse`] gives the same
/// cues back), except that blank lines in it are dropped and `-->` is written `--&gt;`, either of
/// which would otherwise end the cue.
pub fn to_webvtt(cues: &[Cue]) -> String {
    let mut out = String::from("WEBVTT\n\n");
    for cue in cues {
        out.push_str(&format!(
            "{} --> {}\n",
            timestamp(cue.start_ms),
            timestamp(cue.end_ms)
        ));
        for line in cue.text.lines().filter(|line| !is_blank(line)) {
            out.push_str(&line.replace("-->", "--&gt;"));
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// `hh:mm:ss.mmm` (hours at least two digits).
fn timestamp(ms: u64) -> String {
    let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    format!("{h:02}:{m:02}:{s:02}.{milli:03}")
}

/// The lines of `text`, ending at `\n`, `\r\n` or a lone `\r`.
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while let Some(end) = rest.find(['\n', '\r']) {
        lines.push(&rest[..end]);
        let skip = if rest[end..].starts_with("\r\n") {
            2
        } else {
            1
        };
        rest = &rest[end + skip..];
    }
    if !rest.is_empty() {
        lines.push(rest);
    }
    lines
}

/// Blank lines (empty, or only whitespace) end blocks in both formats.
fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// How a timestamp is written in a format.
#[derive(Clone, Copy)]
enum Clock {
    /// `[hh:]mm:ss.mmm`.
    WebVtt,
    /// `hh:mm:ss,mmm` (a `.` is tolerated for the `,`).
    Srt,
}

/// A cue's timing line, `start --> end [settings]`: its start and end in milliseconds. Settings
/// (WebVTT) or coordinates (SRT) after the end are ignored.
fn timing(line: &str, number: usize, clock: Clock) -> Result<(u64, u64), CaptionError> {
    let (start, rest) = line
        .split_once("-->")
        .ok_or_else(|| CaptionError::at(number, "expected a timing line: start --> end"))?;
    let end = rest.split_whitespace().next().unwrap_or_default();
    let start = parse_timestamp(start.trim(), clock)
        .ok_or_else(|| bad_timestamp(number, start.trim(), clock))?;
    let end = parse_timestamp(end, clock).ok_or_else(|| bad_timestamp(number, end, clock))?;
    if end < start {
        return Err(CaptionError::at(
            number,
            format!(
                "the cue ends ({}) before it starts ({})",
                timestamp(end),
                timestamp(start)
            ),
        ));
    }
    Ok((start, end))
}

fn bad_timestamp(number: usize, found: &str, clock: Clock) -> CaptionError {
    let expected = match clock {
        Clock::WebVtt => "[hh:]mm:ss.mmm",
        Clock::Srt => "hh:mm:ss,mmm",
    };
    CaptionError::at(
        number,
        format!("bad timestamp \"{found}\": expected {expected}"),
    )
}

/// Milliseconds of a timestamp written the `clock` way, or `None`.
fn parse_timestamp(text: &str, clock: Clock) -> Option<u64> {
    let separators: &[char] = match clock {
        Clock::WebVtt => &['.'],
        Clock::Srt => &[',', '.'],
    };
    let (clock_part, millis) = text.split_once(separators)?;
    let parts: Vec<&str> = clock_part.split(':').collect();
    let (hours, minutes, seconds) = match (clock, parts.as_slice()) {
        (Clock::WebVtt, [m, s]) => ("0", *m, *s),
        (_, [h, m, s]) => (*h, *m, *s),
        _ => return None,
    };
    let digits = |s: &str, len: Option<usize>| -> Option<u64> {
        let right_len = len.is_none_or(|len| s.len() == len);
        let fits = !s.is_empty() && s.len() <= 9;
        (right_len && fits && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let hours = digits(hours, None)?;
    let minutes = digits(minutes, Some(2)).filter(|m| *m < 60)?;
    let seconds = digits(seconds, Some(2)).filter(|s| *s < 60)?;
    let millis = digits(millis, Some(3))?;
    Some(((hours * 60 + minutes) * 60 + seconds) * 1000 + millis)
}

/// Counts a new cue against [`MAX_CUES`]; `number` is the line it starts on.
fn check_count(cues: &[Cue], number: usize) -> Result<(), CaptionError> {
    if cues.len() >= MAX_CUES {
        return Err(CaptionError::at(
            number,
            format!("too many cues: caption files may hold at most {MAX_CUES}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
