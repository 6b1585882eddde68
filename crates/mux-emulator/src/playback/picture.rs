//! The pictures the image host serves. Decoding a frame of the upload would need a video codec,
//! so each picture is generated instead: a diagonal gradient in a colour taken from the playback
//! id's hash (so different videos look different), shifted by where in the video the frame is,
//! with a white progress bar along the bottom showing that position. Encoded as PNG (`png`).

use sha2::{Digest, Sha256};

use crate::png;

/// Palette index of the progress bar; 0..WHITE are the gradient's shades.
const WHITE: u8 = 255;

/// A picture being painted: one palette index per pixel.
pub struct Canvas {
    width: u32,
    height: u32,
    palette: Vec<[u8; 3]>,
    pixels: Vec<u8>,
}

impl Canvas {
    /// A black canvas in the colours of `playback_id`.
    pub fn new(playback_id: &str, width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            palette: palette(playback_id),
            pixels: vec![0; width as usize * height as usize],
        }
    }

    /// Paints the frame at `fraction` (0 = start, 1 = end) of the video into the rectangle at
    /// (`x0`, `y0`) of `width × height`, which must lie inside the canvas.
    pub fn frame(&mut self, (x0, y0): (u32, u32), (width, height): (u32, u32), fraction: f64) {
        let fraction = fraction.clamp(0.0, 1.0);
        let bar_from = height - (height / 16).max(1);
        let bar_to = (f64::from(width) * fraction).round() as u32;
        for y in 0..height {
            let row = (y0 + y) as usize * self.width as usize;
            for x in 0..width {
                let at = row + (x0 + x) as usize;
                self.pixels[at] = if y >= bar_from && x < bar_to {
                    WHITE
                } else {
                    let diagonal =
                        (f64::from(x) / f64::from(width) + f64::from(y) / f64::from(height)) / 2.0;
                    ((diagonal + fraction).fract() * f64::from(WHITE - 1)) as u8
                };
            }
        }
    }

    pub fn png(&self) -> Vec<u8> {
        png::encode(&png::Indexed {
            width: self.width,
            height: self.height,
            palette: &self.palette,
            pixels: &self.pixels,
        })
    }
}

/// Shades from dark to full of the playback id's colour, then white.
fn palette(playback_id: &str) -> Vec<[u8; 3]> {
    let hash = Sha256::digest(playback_id.as_bytes());
    // Bright enough that the gradient shows.
    let colour = [hash[0], hash[1], hash[2]].map(|c| 64 + u32::from(c) * 191 / 255);
    let mut palette: Vec<[u8; 3]> = (0..u32::from(WHITE))
        .map(|shade| colour.map(|c| (c * (80 + shade) / (80 + u32::from(WHITE - 1))) as u8))
        .collect();
    palette.push([255, 255, 255]);
    palette
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_differ_by_position_and_videos_by_colour() {
        let paint = |id: &str, fraction: f64| {
            let mut canvas = Canvas::new(id, 64, 36);
            canvas.frame((0, 0), (64, 36), fraction);
            canvas
        };
        let start = paint("a", 0.0);
        assert!(!start.pixels.contains(&WHITE), "no progress at the start");
        let middle = paint("a", 0.5);
        assert_eq!(middle.pixels[35 * 64], WHITE, "bar at the bottom left");
        assert_ne!(middle.pixels[35 * 64 + 40], WHITE, "bar ends at the middle");
        assert_ne!(start.pixels, middle.pixels);
        assert_ne!(paint("a", 0.0).palette, paint("b", 0.0).palette);
        assert_eq!(start.palette.len(), 256);
    }
}
