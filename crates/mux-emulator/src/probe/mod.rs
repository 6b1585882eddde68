//! The media probe: what "processing" learns from the uploaded bytes.
//!
//! Mux decides `ready` or `errored` by reading the input (docs/mux-facts.md §4.3, §5.2). The emulator does
//! the same with pure-Rust container parsers: `mp4parse` for MP4/MOV/M4A and `matroska-demuxer` for
//! WebM/Matroska. Anything that is neither, or that the parser rejects, or that has no audio or
//! video track, is an `invalid_input` error.

mod isobmff;
mod matroska;

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The container a file was read as; it also decides the playback content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Container {
    Mp4,
    Mov,
    Webm,
}

/// What the probe found in a playable file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MediaInfo {
    pub container: Container,
    pub duration_s: f64,
    pub video: Option<VideoInfo>,
    pub audio: Option<AudioInfo>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VideoInfo {
    pub width: u32,
    pub height: u32,
    pub frame_rate: f64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AudioInfo {
    pub channels: u32,
}

/// Why a file is not playable; the message ends up in the asset's `errors.messages`.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("the input file is empty")]
    Empty,
    #[error("the input file could not be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("the input file is not a recognised media container")]
    UnknownContainer,
    #[error("the input file is not a valid media file: {0}")]
    Invalid(String),
    #[error("the input file has no audio or video track")]
    NoTracks,
}

impl MediaInfo {
    /// The MIME type a player should be given for the stored file.
    pub fn content_type(&self) -> &'static str {
        match (self.container, &self.video) {
            (Container::Webm, Some(_)) => "video/webm",
            (Container::Webm, None) => "audio/webm",
            (Container::Mov, _) => "video/quicktime",
            (Container::Mp4, Some(_)) => "video/mp4",
            (Container::Mp4, None) => "audio/mp4",
        }
    }

    /// `"16:9"` style, reduced by the greatest common divisor; `None` for audio-only.
    pub fn aspect_ratio(&self) -> Option<String> {
        let v = self.video.as_ref()?;
        let g = gcd(v.width, v.height).max(1);
        Some(format!("{}:{}", v.width / g, v.height / g))
    }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Reads the file at `path` and says what it holds. Blocking: call it from `spawn_blocking`.
pub fn probe_file(path: &Path) -> Result<MediaInfo, ProbeError> {
    let mut head = [0u8; 12];
    let mut file = File::open(path)?;
    let n = read_up_to(&mut file, &mut head)?;
    if n == 0 {
        return Err(ProbeError::Empty);
    }
    let info = if head[..4] == [0x1A, 0x45, 0xDF, 0xA3] {
        matroska::probe(File::open(path)?)?
    } else if n >= 8 && isobmff::looks_like(&head[4..8]) {
        let container = if n >= 12 && &head[4..8] == b"ftyp" && &head[8..12] == b"qt  " {
            Container::Mov
        } else {
            Container::Mp4
        };
        isobmff::probe(File::open(path)?, container)?
    } else {
        return Err(ProbeError::UnknownContainer);
    };
    if info.video.is_none() && info.audio.is_none() {
        return Err(ProbeError::NoTracks);
    }
    Ok(info)
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Rounds a measured rate or duration the way Mux reports them (a few decimals).
fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests;
