//! The pinned Mux Player is the npm package's file: the integrity hash muxd puts on the page is
//! the SHA-384 of `@mux/mux-player@VERSION`'s bundle as the registry ships it (jsDelivr serves
//! npm files byte for byte). Needs the package in `target/node-deps` (`.ci/run` installs it);
//! without it the test prints `SKIPPED: …` and passes, except under `CI=true`, where it fails.

use std::path::PathBuf;

use base64::Engine as _;
use muxd_web::pages::mux_player;
use sha2::{Digest, Sha384};

#[test]
fn the_pinned_integrity_hash_is_the_packages_file() {
    let install = format!(
        "npm install --prefix target/node-deps @mux/mux-player@{}",
        mux_player::VERSION
    );
    let package = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/node-deps/node_modules/@mux/mux-player");
    let Ok(manifest) = std::fs::read_to_string(package.join("package.json")) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "@mux/mux-player is not in target/node-deps: CI must check the pin ({install})"
        );
        eprintln!(
            "\n*** SKIPPED: the Mux Player pin check: the package is missing ({install}) ***\n"
        );
        return;
    };
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(
        manifest["version"],
        mux_player::VERSION,
        "target/node-deps holds another version ({install})"
    );
    let bundle = std::fs::read(package.join(mux_player::PATH)).unwrap();
    let digest = base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&bundle));
    assert_eq!(mux_player::INTEGRITY, format!("sha384-{digest}"));
    let text = String::from_utf8_lossy(&bundle);
    assert!(
        !text.contains("import(") && !text.contains("importScripts("),
        "the bundle loads other files at run time: pin those too"
    );
}
