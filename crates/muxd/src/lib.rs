//! muxd.
