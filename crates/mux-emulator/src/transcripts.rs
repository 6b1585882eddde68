//! What the emulator "hears" when it generates captions (docs/mux-facts.md §10): one cue per
//! 2 seconds of the media (rounded, at least one; the last ends at the duration). Each cue's text is
//! taken from a transcript table keyed by the file's sha256 when the file is in it (cycling
//! through its lines), or else made of 4 words picked from a fixed list, seeded by the file's
//! sha256 and the cue's index: the same file always gets the same transcript, two files differ.
//!
//! The table comes from [`EmulatorConfig::transcripts`](crate::EmulatorConfig::transcripts);
//! [`from_manifest`] builds it from a fixtures manifest (`fixtures/media/manifest.json`).
//! A leaf.

use std::collections::HashMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::captions_parse::Cue;

/// sha256 (lowercase hex) of a media file → its cue texts.
pub type Transcripts = HashMap<String, Vec<String>>;

/// How long each generated cue lasts.
const CUE_MS: u64 = 2000;

/// The words generated cues are made of.
const WORDS: [&str; 64] = [
    "the", "video", "today", "we", "look", "at", "new", "ideas", "and", "how", "they", "work",
    "in", "practice", "with", "simple", "steps", "for", "every", "team", "this", "is", "our",
    "first", "example", "of", "a", "better", "way", "to", "share", "stories", "people", "love",
    "great", "music", "light", "colour", "time", "place", "world", "small", "big", "change",
    "start", "here", "now", "please", "watch", "again", "later", "thanks", "you", "all", "good",
    "morning", "evening", "friends", "home", "city", "water", "sun", "open", "clear",
];

/// The cues generated for a file with hash `sha256` (hex) lasting `duration_s`.
pub fn generate(sha256: &str, duration_s: f64, table: &Transcripts) -> Vec<Cue> {
    let total_ms = (duration_s.max(0.0) * 1000.0).round() as u64;
    // Rounded, so a few milliseconds past a multiple of 2 s make no cue of their own.
    let count = ((total_ms + CUE_MS / 2) / CUE_MS).max(1);
    let lines = table.get(sha256).filter(|l| !l.is_empty());
    (0..count)
        .map(|i| Cue {
            start_ms: (i * CUE_MS).min(total_ms),
            end_ms: if i + 1 == count {
                total_ms
            } else {
                (i + 1) * CUE_MS
            },
            text: match lines {
                Some(lines) => lines[(i as usize) % lines.len()].clone(),
                None => words(sha256, i),
            },
        })
        .collect()
}

/// 4 words picked by the bytes of sha256("{sha256}:{index}").
fn words(sha256: &str, index: u64) -> String {
    let digest = Sha256::digest(format!("{sha256}:{index}").as_bytes());
    digest[..4]
        .iter()
        .map(|b| WORDS[usize::from(*b) % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

/// The transcript table of a fixtures manifest (`{"files": [{"sha256", "transcript": [..]}]}`):
/// every entry with both; others are skipped. An error if the JSON does not parse or has no
/// `files` array.
pub fn from_manifest(json: &str) -> Result<Transcripts, String> {
    let manifest: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let files = manifest
        .get("files")
        .and_then(Value::as_array)
        .ok_or("the manifest has no \"files\" array")?;
    Ok(files
        .iter()
        .filter_map(|entry| {
            let sha256 = entry.get("sha256")?.as_str()?.to_ascii_lowercase();
            let lines: Vec<String> = entry
                .get("transcript")?
                .as_array()?
                .iter()
                .filter_map(|l| l.as_str().map(str::to_owned))
                .collect();
            Some((sha256, lines))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "df1a8676b5126258962d8665de463bbecbad5d79192b16316b5cdd73cd3dfeed";
    const B: &str = "e2185271a827c90e05e7c5dc54407c2e5824ff3877a373083830635e341eab43";

    #[test]
    fn one_cue_per_two_seconds_ending_at_the_duration() {
        let cues = generate(A, 5.0, &Transcripts::new());
        let spans: Vec<(u64, u64)> = cues.iter().map(|c| (c.start_ms, c.end_ms)).collect();
        assert_eq!(spans, [(0, 2000), (2000, 4000), (4000, 5000)]);
        assert_eq!(generate(A, 0.4, &Transcripts::new()).len(), 1);
        assert_eq!(generate(A, 10.0, &Transcripts::new()).len(), 5);
        let probed = generate(A, 10.03, &Transcripts::new());
        assert_eq!(probed.len(), 5, "no cue for a few ms over");
        assert_eq!((probed[4].start_ms, probed[4].end_ms), (8000, 10_030));
        for cue in &cues {
            let words: Vec<&str> = cue.text.split(' ').collect();
            assert_eq!(words.len(), 4, "{}", cue.text);
            assert!(words.iter().all(|w| WORDS.contains(w)));
        }
    }

    #[test]
    fn the_same_file_always_gets_the_same_words_and_another_file_others() {
        let none = Transcripts::new();
        assert_eq!(generate(A, 10.0, &none), generate(A, 10.0, &none));
        assert_ne!(generate(A, 10.0, &none), generate(B, 10.0, &none));
        let cues = generate(A, 10.0, &none);
        assert_ne!(cues[0].text, cues[1].text, "cues differ by index");
    }

    #[test]
    fn a_known_file_gets_its_transcript_cycling() {
        let table = Transcripts::from([(A.to_owned(), vec!["one".into(), "two".into()])]);
        let texts: Vec<String> = generate(A, 6.0, &table)
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(texts, ["one", "two", "one"]);
        assert_eq!(generate(B, 2.0, &table)[0].text.split(' ').count(), 4);
    }

    #[test]
    fn the_table_is_read_from_a_manifest() {
        let json = format!(
            r#"{{"files": [{{"file": "a.mp4", "sha256": "{}", "transcript": ["hi", "there"]}},
                          {{"file": "b.mp4", "sha256": "{B}"}}, {{"file": "c.txt"}}]}}"#,
            A.to_uppercase()
        );
        let table = from_manifest(&json).unwrap();
        assert_eq!(table.len(), 1);
        assert_eq!(table[A], ["hi", "there"]);
        assert!(from_manifest("{}").is_err());
        assert!(from_manifest("not json").is_err());
    }

    #[test]
    fn the_repository_manifest_has_transcripts_for_two_fixtures() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/media/manifest.json"
        );
        let table = from_manifest(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(table[B].len(), 5, "hd-10s: one line per 2 s cue");
        assert!(table.contains_key(A), "tiny-2s");
    }
}
