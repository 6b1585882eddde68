//! The media fixtures (fixtures/media at the repository root): real files the emulator probes,
//! and the manifest saying what Mux should make of each.

use serde_json::Value;

/// The media fixtures (fixtures/media at the repository root).
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../fixtures/media/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture exists")
}

/// The fixture manifest's entries.
pub fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(format!(
        "{}/../../fixtures/media/manifest.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["files"]
        .as_array()
        .unwrap()
        .clone()
}
