//! WebM / Matroska through `matroska-demuxer`.

use std::fs::File;
use std::io::BufReader;

use matroska_demuxer::{Frame, MatroskaFile, TrackType};

use super::{round3, AudioInfo, Container, MediaInfo, ProbeError, VideoInfo};

/// When a video track has no DefaultDuration, the frame rate is measured over this many frames.
const FRAMES_TO_MEASURE: u32 = 240;

pub(super) fn probe(file: File) -> Result<MediaInfo, ProbeError> {
    let mut mkv =
        MatroskaFile::open(BufReader::new(file)).map_err(|e| ProbeError::Invalid(e.to_string()))?;
    let scale_ns = mkv.info().timestamp_scale().get() as f64;
    let mut duration_s = mkv
        .info()
        .duration()
        .map(|d| d * scale_ns / 1e9)
        .unwrap_or(0.0);
    let mut video = None;
    let mut video_track = None;
    let mut audio = None;
    for track in mkv.tracks() {
        match track.track_type() {
            TrackType::Video if video.is_none() => {
                let Some(v) = track.video() else { continue };
                video_track = Some(track.track_number().get());
                video = Some(VideoInfo {
                    width: v.pixel_width().get() as u32,
                    height: v.pixel_height().get() as u32,
                    frame_rate: track
                        .default_duration()
                        .map(|ns| round3(1e9 / ns.get() as f64))
                        .unwrap_or(-1.0),
                });
            }
            TrackType::Audio if audio.is_none() => {
                let Some(a) = track.audio() else { continue };
                audio = Some(AudioInfo {
                    channels: a.channels().get() as u32,
                });
            }
            _ => {}
        }
    }
    let needs_rate = video.as_ref().is_some_and(|v| v.frame_rate < 0.0);
    if needs_rate || duration_s <= 0.0 {
        let (rate, last_s) = scan_frames(&mut mkv, video_track, scale_ns)?;
        if let (Some(v), Some(rate)) = (video.as_mut(), rate) {
            if needs_rate {
                v.frame_rate = rate;
            }
        }
        if duration_s <= 0.0 {
            duration_s = last_s;
        }
    }
    Ok(MediaInfo {
        container: Container::Webm,
        duration_s: round3(duration_s),
        video,
        audio,
    })
}

/// Reads frames to measure the video frame rate and the last timestamp (seconds).
fn scan_frames(
    mkv: &mut MatroskaFile<BufReader<File>>,
    video_track: Option<u64>,
    scale_ns: f64,
) -> Result<(Option<f64>, f64), ProbeError> {
    let mut frame = Frame::default();
    let (mut first, mut last, mut count) = (None, 0u64, 0u32);
    let mut last_any = 0u64;
    while mkv
        .next_frame(&mut frame)
        .map_err(|e| ProbeError::Invalid(e.to_string()))?
    {
        last_any = last_any.max(frame.timestamp);
        if Some(frame.track) == video_track && count < FRAMES_TO_MEASURE {
            first.get_or_insert(frame.timestamp);
            last = frame.timestamp;
            count += 1;
        }
    }
    let rate = first.and_then(|f| {
        let span_s = (last - f) as f64 * scale_ns / 1e9;
        (count > 1 && span_s > 0.0).then(|| round3(f64::from(count - 1) / span_s))
    });
    Ok((rate, last_any as f64 * scale_ns / 1e9))
}
