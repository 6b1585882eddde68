//! Storyboards: one image of tiles, one frame every few seconds of the video, for players' seek
//! previews, and its index as WebVTT (`storyboard.vtt`, one cue per tile pointing at the image
//! with a `#xywh=` fragment) or JSON (`storyboard.json`: `url`, `tile_width`, `tile_height`,
//! `duration`, `tiles: [{start, x, y}]`).

use serde_json::{json, Value};

/// Tiles are this wide; their height keeps the video's aspect ratio.
const TILE_WIDTH: u32 = 256;
/// Tiles per row of the image.
const COLUMNS: usize = 10;
/// At most this many tiles, so long videos get a frame less often.
const MAX_TILES: usize = 50;
/// At least this long between two tiles.
const MIN_STEP_S: f64 = 2.0;

/// Where each tile is and when its frame is.
pub struct Layout {
    pub tile_width: u32,
    pub tile_height: u32,
    /// Start of each tile's frame, in seconds.
    pub starts: Vec<f64>,
    pub duration_s: f64,
}

impl Layout {
    /// The tiles of a `duration_s` video of `width × height`.
    pub fn new(duration_s: f64, (width, height): (u32, u32)) -> Self {
        let step = (duration_s / MAX_TILES as f64).max(MIN_STEP_S);
        // Rounded, so a video a moment longer than a step gets no tile for that moment.
        let count = ((duration_s / step).round() as usize).clamp(1, MAX_TILES);
        let tile_height = (f64::from(TILE_WIDTH) * f64::from(height) / f64::from(width.max(1)))
            .round()
            .max(1.0) as u32;
        Self {
            tile_width: TILE_WIDTH,
            tile_height,
            starts: (0..count).map(|i| i as f64 * step).collect(),
            duration_s,
        }
    }

    /// The image's size: `COLUMNS` tiles per row (fewer if there are fewer tiles).
    pub fn size(&self) -> (u32, u32) {
        let columns = self.starts.len().min(COLUMNS) as u32;
        let rows = self.starts.len().div_ceil(COLUMNS) as u32;
        (columns * self.tile_width, rows * self.tile_height)
    }

    /// The top left corner of tile `i`.
    pub fn position(&self, i: usize) -> (u32, u32) {
        (
            (i % COLUMNS) as u32 * self.tile_width,
            (i / COLUMNS) as u32 * self.tile_height,
        )
    }

    /// The WebVTT index; each cue lasts until the next tile's start (the last until the end).
    pub fn vtt(&self, image_url: &str) -> String {
        let mut vtt = String::from("WEBVTT\n");
        for (i, start) in self.starts.iter().enumerate() {
            let end = self.starts.get(i + 1).copied().unwrap_or(self.duration_s);
            let (x, y) = self.position(i);
            vtt.push_str(&format!(
                "\n{} --> {}\n{image_url}#xywh={x},{y},{},{}\n",
                timestamp(*start),
                timestamp(end.max(*start)),
                self.tile_width,
                self.tile_height
            ));
        }
        vtt
    }

    pub fn json(&self, image_url: &str) -> Value {
        let tiles: Vec<Value> = (self.starts.iter().enumerate())
            .map(|(i, start)| {
                let (x, y) = self.position(i);
                json!({"start": start, "x": x, "y": y})
            })
            .collect();
        json!({"url": image_url, "tile_width": self.tile_width, "tile_height": self.tile_height,
            "duration": self.duration_s, "tiles": tiles})
    }
}

/// `HH:MM:SS.mmm`, as WebVTT writes times.
fn timestamp(seconds: f64) -> String {
    let ms = (seconds * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_videos_get_a_tile_every_two_seconds_long_ones_at_most_fifty() {
        let short = Layout::new(10.0, (1280, 720));
        assert_eq!(short.starts, [0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!((short.tile_width, short.tile_height), (256, 144));
        assert_eq!(short.size(), (5 * 256, 144));

        let long = Layout::new(3600.0, (720, 1280));
        assert_eq!(long.starts.len(), 50);
        assert_eq!(long.starts[1], 72.0);
        assert_eq!(long.size(), (10 * 256, 5 * 455));
        assert_eq!(long.position(12), (2 * 256, 455));
    }

    #[test]
    fn the_vtt_points_each_cue_at_its_tile() {
        let vtt = Layout::new(3.0, (320, 240)).vtt("http://e/image/p/storyboard.jpg?token=t");
        assert_eq!(
            vtt,
            "WEBVTT\n\
             \n00:00:00.000 --> 00:00:02.000\nhttp://e/image/p/storyboard.jpg?token=t#xywh=0,0,256,192\n\
             \n00:00:02.000 --> 00:00:03.000\nhttp://e/image/p/storyboard.jpg?token=t#xywh=256,0,256,192\n"
        );
        assert_eq!(timestamp(3723.5), "01:02:03.500");
    }
}
