//! Every fixture in fixtures/media must give what its manifest entry says.

use std::path::PathBuf;

use serde_json::Value;

use super::*;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/media")
}

fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(fixtures().join("manifest.json")).expect("manifest.json");
    let v: Value = serde_json::from_str(&text).expect("manifest parses");
    v["files"].as_array().expect("files").clone()
}

#[test]
fn every_fixture_matches_its_manifest_entry() {
    let entries = manifest();
    assert!(entries.len() >= 9, "manifest lists the fixtures");
    for entry in entries {
        let name = entry["file"].as_str().unwrap();
        let result = probe_file(&fixtures().join(name));
        if entry["expect"] == "errored" {
            assert!(result.is_err(), "{name} must be rejected, got {result:?}");
            continue;
        }
        let info = result.unwrap_or_else(|e| panic!("{name} must be readable: {e}"));
        let want = entry["duration_s"].as_f64().unwrap();
        assert!(
            (info.duration_s - want).abs() < 0.1,
            "{name}: duration {}",
            info.duration_s
        );
        assert_eq!(
            info.aspect_ratio().as_deref(),
            entry["aspect_ratio"].as_str(),
            "{name}"
        );
        match (&info.video, entry["video"].as_object()) {
            (Some(v), Some(w)) => {
                assert_eq!(u64::from(v.width), w["width"].as_u64().unwrap(), "{name}");
                assert_eq!(u64::from(v.height), w["height"].as_u64().unwrap(), "{name}");
                let fps = w["fps"].as_f64().unwrap();
                assert!(
                    (v.frame_rate - fps).abs() < 0.5,
                    "{name}: fps {}",
                    v.frame_rate
                );
            }
            (None, None) => {}
            (got, want) => panic!("{name}: video {got:?} vs manifest {want:?}"),
        }
        match (&info.audio, entry["audio"].as_object()) {
            (Some(a), Some(w)) => {
                assert_eq!(
                    u64::from(a.channels),
                    w["channels"].as_u64().unwrap(),
                    "{name}"
                );
            }
            (None, None) => {}
            (got, want) => panic!("{name}: audio {got:?} vs manifest {want:?}"),
        }
    }
}

#[test]
fn containers_and_content_types() {
    let mov = probe_file(&fixtures().join("vertical-3s-720x1280-noaudio.mov")).unwrap();
    assert_eq!(mov.container, Container::Mov);
    let webm = probe_file(&fixtures().join("clip-2s-640x360.webm")).unwrap();
    assert_eq!(webm.content_type(), "video/webm");
    let m4a = probe_file(&fixtures().join("audio-only-2s.m4a")).unwrap();
    assert_eq!(m4a.content_type(), "audio/mp4");
    assert_eq!(m4a.aspect_ratio(), None);
}

#[test]
fn unreadable_inputs_say_why() {
    let empty = probe_file(&fixtures().join("empty.mp4")).unwrap_err();
    assert!(matches!(empty, ProbeError::Empty));
    let text = probe_file(&fixtures().join("not-a-video.txt")).unwrap_err();
    assert!(matches!(text, ProbeError::UnknownContainer));
    let truncated = probe_file(&fixtures().join("truncated.mp4")).unwrap_err();
    assert!(
        truncated.to_string().contains("not a valid media file"),
        "{truncated}"
    );
}
