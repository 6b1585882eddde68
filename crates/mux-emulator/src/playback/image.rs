//! The image host (docs/mux-facts.md §4.4) at `/image/{playback_id}/…`, with the token check of signed
//! ids (audience `t` thumbnails, `g` animated, `s` storyboards):
//!
//! - `thumbnail.{jpg,png,webp}`: `time` (default: the middle), `width`, `height`, `fit_mode`
//!   (`preserve` keeps the aspect ratio inside the box; `stretch`, `crop`, `smartcrop`, `pad`
//!   give exactly the box), `rotate` (90/180/270). Default size: the video's.
//! - `animated.{gif,webp}`: `width`/`height` as above, 320 px wide by default.
//! - `storyboard.{jpg,png,webp}`: the tiles (`storyboard`); `storyboard.{vtt,json}` index them,
//!   pointing at `storyboard.{format}` (`format` = `jpg` by default, `png`, `webp`) with the
//!   request's token.
//!
//! Every picture is a generated PNG (`picture`), whatever the extension asked, with
//! `Content-Type: image/png`. Audio-only assets have no images: 404.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::access::Audience;
use super::picture::Canvas;
use super::storyboard::Layout;
use super::{grant, ready_for_images, PlaybackError};
use crate::state::Emulator;

/// Asked sizes are capped here (each side).
const MAX_SIDE: u32 = 4096;
/// Mux's default width of animated images.
const ANIMATED_WIDTH: u32 = 320;

/// What the file name asks for.
#[derive(Debug, Clone, Copy)]
enum Asked {
    Thumbnail,
    Animated,
    StoryboardImage,
    StoryboardVtt,
    StoryboardJson,
}

impl Asked {
    fn parse(file: &str) -> Option<Self> {
        Some(match file {
            "thumbnail.jpg" | "thumbnail.png" | "thumbnail.webp" => Asked::Thumbnail,
            "animated.gif" | "animated.webp" => Asked::Animated,
            "storyboard.jpg" | "storyboard.png" | "storyboard.webp" => Asked::StoryboardImage,
            "storyboard.vtt" => Asked::StoryboardVtt,
            "storyboard.json" => Asked::StoryboardJson,
            _ => return None,
        })
    }

    fn audience(self) -> Audience {
        match self {
            Asked::Thumbnail => Audience::Thumbnail,
            Asked::Animated => Audience::Gif,
            _ => Audience::Storyboard,
        }
    }
}

/// The query parameters the emulator reads, as strings so that bad values get a Mux 400.
#[derive(Debug, Default, Deserialize)]
pub struct ImageQuery {
    token: Option<String>,
    time: Option<String>,
    width: Option<String>,
    height: Option<String>,
    fit_mode: Option<String>,
    rotate: Option<String>,
    format: Option<String>,
}

pub async fn serve(
    State(emu): State<Arc<Emulator>>,
    Path((playback_id, file)): Path<(String, String)>,
    query: Result<Query<ImageQuery>, QueryRejection>,
) -> Result<Response, PlaybackError> {
    let asked = Asked::parse(&file).ok_or(PlaybackError::NotFound)?;
    let Query(mut query) = query.map_err(|e| PlaybackError::InvalidParameter(e.body_text()))?;
    let token = query.token.take();
    let granted = ready_for_images(grant(&emu, &playback_id, asked.audience(), token)?)?;
    let media = granted
        .asset
        .media
        .as_ref()
        .ok_or(PlaybackError::NotFound)?;
    let video = media.video.as_ref().ok_or(PlaybackError::NotFound)?;
    let (source, duration_s) = ((video.width, video.height), media.duration_s);
    let picture = |size: (u32, u32), at_s: f64| {
        let mut canvas = Canvas::new(&playback_id, size.0, size.1);
        canvas.frame((0, 0), size, fraction(at_s, duration_s));
        png(canvas)
    };
    match asked {
        Asked::Thumbnail => {
            let time = number(query.time.as_deref(), "time")?.unwrap_or(duration_s / 2.0);
            Ok(picture(query.size(source, None)?, time))
        }
        Asked::Animated => Ok(picture(query.size(source, Some(ANIMATED_WIDTH))?, 0.0)),
        Asked::StoryboardImage => {
            let layout = Layout::new(duration_s, source);
            let (width, height) = layout.size();
            let mut canvas = Canvas::new(&playback_id, width, height);
            for (i, start) in layout.starts.iter().enumerate() {
                let tile = (layout.tile_width, layout.tile_height);
                canvas.frame(layout.position(i), tile, fraction(*start, duration_s));
            }
            Ok(png(canvas))
        }
        Asked::StoryboardVtt | Asked::StoryboardJson => {
            let format = match query.format.as_deref() {
                None => "jpg",
                Some(f @ ("jpg" | "png" | "webp")) => f,
                Some(_) => return Err(invalid("format must be jpg, png or webp")),
            };
            let url = format!(
                "{}/image/{playback_id}/storyboard.{format}{}",
                emu.base_url,
                granted.token_query()
            );
            let layout = Layout::new(duration_s, source);
            Ok(if let Asked::StoryboardVtt = asked {
                ([(header::CONTENT_TYPE, "text/vtt")], layout.vtt(&url)).into_response()
            } else {
                Json(layout.json(&url)).into_response()
            })
        }
    }
}

fn png(canvas: Canvas) -> Response {
    ([(header::CONTENT_TYPE, "image/png")], canvas.png()).into_response()
}

fn fraction(at_s: f64, duration_s: f64) -> f64 {
    if duration_s > 0.0 {
        at_s / duration_s
    } else {
        0.0
    }
}

fn invalid(what: &str) -> PlaybackError {
    PlaybackError::InvalidParameter(what.to_owned())
}

/// A non-negative number, if given.
fn number(value: Option<&str>, name: &str) -> Result<Option<f64>, PlaybackError> {
    value
        .map(|v| {
            v.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .ok_or_else(|| invalid(&format!("{name} must be a number of at least 0")))
        })
        .transpose()
}

impl ImageQuery {
    /// The picture's size for a video of `source`: `default_width` (keeping the aspect ratio)
    /// or the video's size if neither `width` nor `height` is asked.
    fn size(
        &self,
        source: (u32, u32),
        default_width: Option<u32>,
    ) -> Result<(u32, u32), PlaybackError> {
        let side = |value: Option<&str>, name: &str| {
            value
                .map(|v| {
                    v.parse::<u32>()
                        .ok()
                        .filter(|n| (1..=MAX_SIDE).contains(n))
                        .ok_or_else(|| invalid(&format!("{name} must be 1 to {MAX_SIDE}")))
                })
                .transpose()
        };
        let (mut width, height) = (
            side(self.width.as_deref(), "width")?,
            side(self.height.as_deref(), "height")?,
        );
        if width.is_none() && height.is_none() {
            width = default_width;
        }
        let source = match self.rotate.as_deref() {
            None | Some("0" | "180") => source,
            Some("90" | "270") => (source.1, source.0),
            Some(_) => return Err(invalid("rotate must be 90, 180 or 270")),
        };
        let stretch = match self.fit_mode.as_deref() {
            None | Some("preserve") => false,
            Some("stretch" | "crop" | "smartcrop" | "pad") => true,
            Some(_) => {
                return Err(invalid(
                    "fit_mode must be preserve, stretch, crop, smartcrop or pad",
                ))
            }
        };
        Ok(fit(source, width, height, stretch))
    }
}

/// `source` scaled to the asked `width`/`height`: one of them keeps the aspect ratio; both give
/// the largest size inside that box keeping it, or exactly the box if `stretch`.
fn fit(source: (u32, u32), width: Option<u32>, height: Option<u32>, stretch: bool) -> (u32, u32) {
    let (sw, sh) = (f64::from(source.0.max(1)), f64::from(source.1.max(1)));
    let scaled = |scale: f64| {
        (
            ((sw * scale).round() as u32).clamp(1, MAX_SIDE),
            ((sh * scale).round() as u32).clamp(1, MAX_SIDE),
        )
    };
    match (width, height) {
        (None, None) => scaled(1.0),
        (Some(w), None) => scaled(f64::from(w) / sw),
        (None, Some(h)) => scaled(f64::from(h) / sh),
        (Some(w), Some(h)) if stretch => (w, h),
        (Some(w), Some(h)) => scaled((f64::from(w) / sw).min(f64::from(h) / sh)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_keep_the_aspect_ratio_unless_told_otherwise() {
        let hd = (1280, 720);
        assert_eq!(fit(hd, None, None, false), (1280, 720));
        assert_eq!(fit(hd, Some(640), None, false), (640, 360));
        assert_eq!(fit(hd, None, Some(180), false), (320, 180));
        assert_eq!(fit(hd, Some(640), Some(640), false), (640, 360));
        assert_eq!(fit(hd, Some(100), Some(100), true), (100, 100));
        assert_eq!(fit((720, 1280), Some(320), Some(320), false), (180, 320));
    }
}
