//! MP4 / MOV / M4A (ISO base media file format) through Mozilla's `mp4parse`.

use std::fs::File;
use std::io::BufReader;

use mp4parse::{AudioCodecSpecific, AudioSampleEntry, SampleEntry, Track, TrackType};

use super::{round3, AudioInfo, Container, MediaInfo, ProbeError, VideoInfo};

/// Top-level box types an ISOBMFF file may start with (after the 4-byte size).
pub(super) fn looks_like(box_type: &[u8]) -> bool {
    matches!(
        box_type,
        b"ftyp" | b"moov" | b"mdat" | b"free" | b"skip" | b"wide" | b"pnot"
    )
}

pub(super) fn probe(file: File, container: Container) -> Result<MediaInfo, ProbeError> {
    // A large buffer: mp4parse reads through `mdat` rather than seeking over it.
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let ctx = mp4parse::read_mp4(&mut reader).map_err(|e| ProbeError::Invalid(describe(&e)))?;
    let mut info = MediaInfo {
        container,
        duration_s: 0.0,
        video: None,
        audio: None,
    };
    for track in ctx.tracks.iter() {
        let Some(seconds) = track_seconds(track) else {
            continue;
        };
        let entry = track.stsd.as_ref().and_then(|d| d.descriptions.first());
        match (&track.track_type, entry) {
            (TrackType::Video, Some(SampleEntry::Video(v))) if info.video.is_none() => {
                info.video = Some(VideoInfo {
                    width: u32::from(v.width),
                    height: u32::from(v.height),
                    frame_rate: frame_rate(track).unwrap_or(-1.0),
                });
            }
            (TrackType::Audio, Some(SampleEntry::Audio(a))) if info.audio.is_none() => {
                info.audio = Some(AudioInfo {
                    channels: channels(a),
                });
            }
            _ => continue,
        }
        info.duration_s = info.duration_s.max(round3(seconds));
    }
    Ok(info)
}

fn describe(e: &mp4parse::Error) -> String {
    match e {
        mp4parse::Error::MoovMissing => "no moov box (the file is truncated or not a movie)".into(),
        mp4parse::Error::UnexpectedEOF => "unexpected end of file".into(),
        // Users read this message (it becomes the asset's error); the parser's internal status
        // names are no help to them.
        mp4parse::Error::InvalidData(_) => "its MP4/MOV structure is malformed".into(),
        mp4parse::Error::Unsupported(what) => {
            format!("it uses an unsupported MP4/MOV feature ({what})")
        }
        mp4parse::Error::Io(error) => format!("it could not be read ({error})"),
        mp4parse::Error::OutOfMemory => "it is too large to inspect".into(),
    }
}

fn track_seconds(track: &Track) -> Option<f64> {
    let scale = track.timescale?.0;
    let duration = track.duration?.0;
    (scale > 0).then(|| duration as f64 / scale as f64)
}

/// Frames per second from the time-to-sample table: samples / (sum of deltas / timescale).
fn frame_rate(track: &Track) -> Option<f64> {
    let scale = track.timescale?.0 as f64;
    let stts = track.stts.as_ref()?;
    let (count, ticks) = stts.samples.iter().fold((0u64, 0u64), |(c, t), s| {
        let n = u64::from(s.sample_count);
        (c + n, t + n * u64::from(s.sample_delta))
    });
    (ticks > 0).then(|| round3(count as f64 * scale / ticks as f64))
}

/// The channel count. For AAC the sample entry's `channelcount` is often a fixed 2 (ISO muxers
/// write 2 for mono too), so the decoder config in the ES descriptor wins when present.
fn channels(entry: &AudioSampleEntry) -> u32 {
    match &entry.codec_specific {
        AudioCodecSpecific::ES_Descriptor(es) => es
            .audio_channel_count
            .map(u32::from)
            .unwrap_or(entry.channelcount),
        _ => entry.channelcount,
    }
}
