//! What muxd asks Mux to make of a video, which is what it costs: the video quality (`basic`,
//! `plus`, `premium`), the highest resolution tier it stores and streams (`1080p`, `1440p`,
//! `2160p`), docs/mux-facts.md §2.1, and whether Mux transcribes its audio into captions, in which
//! language (§10). The deployment sets defaults; a campaign may ask for others; every create sends
//! all of them, so the bill never depends on an account default nobody chose.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::captions::GENERATED_LANGUAGES;

/// Mux's `video_quality`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VideoQuality {
    Basic,
    Plus,
    Premium,
}

/// Mux's `max_resolution_tier`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResolutionTier {
    #[serde(rename = "1080p")]
    P1080,
    #[serde(rename = "1440p")]
    P1440,
    #[serde(rename = "2160p")]
    P2160,
}

impl VideoQuality {
    pub const ALL: [Self; 3] = [Self::Basic, Self::Plus, Self::Premium];

    /// The name Mux uses, stored in the database too.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Plus => "plus",
            Self::Premium => "premium",
        }
    }
}

impl ResolutionTier {
    pub const ALL: [Self; 3] = [Self::P1080, Self::P1440, Self::P2160];

    /// The name Mux uses, stored in the database too.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::P1080 => "1080p",
            Self::P1440 => "1440p",
            Self::P2160 => "2160p",
        }
    }
}

/// Parses one of `all` by its name; the error names the value and what is accepted.
fn parse<T: Copy>(
    text: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    what: &str,
) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|value| name(*value) == text)
        .ok_or_else(|| {
            let accepted: Vec<_> = all.iter().map(|v| name(*v)).collect();
            format!("{text:?} is not a {what} (one of {})", accepted.join(", "))
        })
}

impl FromStr for VideoQuality {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        parse(text, &Self::ALL, Self::as_str, "video quality")
    }
}

impl FromStr for ResolutionTier {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        parse(text, &Self::ALL, Self::as_str, "resolution tier")
    }
}

impl fmt::Display for VideoQuality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ResolutionTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Generated captions: none, or Mux transcribes the audio in this language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Captions {
    #[default]
    Off,
    /// One of [`GENERATED_LANGUAGES`] (muxd names the language it asks for, never `auto`).
    Generated(&'static str),
}

impl Captions {
    /// `off`, or the language code: the setting's and the database's text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Generated(language) => language,
        }
    }

    /// The language captions are generated in, if any.
    pub fn language(self) -> Option<&'static str> {
        match self {
            Self::Off => None,
            Self::Generated(language) => Some(language),
        }
    }
}

impl Serialize for Captions {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl FromStr for Captions {
    type Err = String;
    /// `off` (or `none`), or a language Mux generates captions in.
    fn from_str(text: &str) -> Result<Self, String> {
        if text == "off" || text == "none" {
            return Ok(Self::Off);
        }
        GENERATED_LANGUAGES
            .iter()
            .find(|code| **code == text)
            .map(|code| Self::Generated(code))
            .ok_or_else(|| {
                format!(
                    "{text:?} is not off, none or a language Mux generates captions in (one of {})",
                    GENERATED_LANGUAGES.join(", ")
                )
            })
    }
}

/// What a campaign (or one upload) asks for: each part, when set, overrides the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EncodingChoice {
    pub quality: Option<VideoQuality>,
    pub max_tier: Option<ResolutionTier>,
    pub captions: Option<Captions>,
}

/// What one create sends to Mux: every part, always.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Encoding {
    pub quality: VideoQuality,
    pub max_tier: ResolutionTier,
    pub captions: Captions,
}

impl Encoding {
    /// `self` (the deployment's defaults) with what `choice` sets instead.
    pub fn with(self, choice: EncodingChoice) -> Encoding {
        Encoding {
            quality: choice.quality.unwrap_or(self.quality),
            max_tier: choice.max_tier.unwrap_or(self.max_tier),
            captions: choice.captions.unwrap_or(self.captions),
        }
    }
}

impl Default for Encoding {
    /// The cheapest quality at Mux's own default tier, without captions.
    fn default() -> Self {
        Encoding {
            quality: VideoQuality::Basic,
            max_tier: ResolutionTier::P1080,
            captions: Captions::Off,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_json() {
        for quality in VideoQuality::ALL {
            assert_eq!(quality.as_str().parse::<VideoQuality>(), Ok(quality));
            let json = serde_json::to_string(&quality).unwrap();
            assert_eq!(json, format!("\"{quality}\""));
        }
        for tier in ResolutionTier::ALL {
            assert_eq!(tier.as_str().parse::<ResolutionTier>(), Ok(tier));
            let json = serde_json::to_string(&tier).unwrap();
            assert_eq!(json, format!("\"{tier}\""));
        }
    }

    #[test]
    fn an_unknown_value_is_named_with_what_is_accepted() {
        let error = "4k".parse::<ResolutionTier>().unwrap_err();
        assert_eq!(
            error,
            "\"4k\" is not a resolution tier (one of 1080p, 1440p, 2160p)"
        );
        let error = "Plus".parse::<VideoQuality>().unwrap_err();
        assert!(error.contains("\"Plus\""), "{error}");
    }

    #[test]
    fn a_campaign_overrides_only_what_it_sets() {
        let defaults = Encoding::default();
        let choice = EncodingChoice {
            max_tier: Some(ResolutionTier::P2160),
            captions: Some(Captions::Generated("en")),
            ..Default::default()
        };
        assert_eq!(
            defaults.with(choice),
            Encoding {
                quality: VideoQuality::Basic,
                max_tier: ResolutionTier::P2160,
                captions: Captions::Generated("en"),
            }
        );
        assert_eq!(defaults.with(EncodingChoice::default()), defaults);
    }

    #[test]
    fn captions_are_off_or_a_language_mux_generates() {
        assert_eq!("off".parse(), Ok(Captions::Off));
        assert_eq!("none".parse(), Ok(Captions::Off));
        assert_eq!("de".parse(), Ok(Captions::Generated("de")));
        assert_eq!(Captions::Generated("de").as_str(), "de");
        let error = "klingon".parse::<Captions>().unwrap_err();
        assert!(
            error.contains("\"klingon\"") && error.contains("en, es"),
            "{error}"
        );
        assert!(
            "auto".parse::<Captions>().is_err(),
            "muxd names the language"
        );
    }
}
