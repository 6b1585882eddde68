//! The one Mux Player build the content page loads: a pinned version of the package's
//! self-contained browser bundle (`dist/mux-player.js`, a classic script that imports nothing
//! at run time), from jsDelivr, which serves npm files byte for byte, with its Subresource
//! Integrity hash, so a changed file is refused by the browser. The page's script tag and its
//! Content-Security-Policy (which names this file, not the whole CDN) both read these.
//!
//! To move to another version: `npm pack @mux/mux-player@VERSION`, then
//! `openssl dgst -sha384 -binary package/dist/mux-player.js | openssl base64 -A`, and change
//! the version here, the hash below, and `.ci/run`'s `npm_once` line (a test compares the hash
//! with the package CI installs).

/// The pinned version, as a literal for `concat!`.
macro_rules! version {
    () => {
        "3.14.0"
    };
}
pub(crate) use version;

/// The bundle's URL, as a literal for `concat!` (the CSP is one constant string).
macro_rules! url {
    () => {
        concat!(
            "https://cdn.jsdelivr.net/npm/@mux/mux-player@",
            $crate::pages::mux_player::version!(),
            "/dist/mux-player.js"
        )
    };
}
pub(crate) use url;

/// The pinned version of `@mux/mux-player`.
pub const VERSION: &str = version!();
/// The bundle's path inside the npm package.
pub const PATH: &str = "dist/mux-player.js";
/// Where the page loads it from.
pub const URL: &str = url!();
/// Its Subresource Integrity hash (`sha384-` and the base64 of the file's SHA-384).
pub const INTEGRITY: &str =
    "sha384-RjbgI7s9y7fLrFpckJIrG2S3LWPybGAEJh+do/hy1U7gYBAx7thBxmw0Qq+h9HM8";
