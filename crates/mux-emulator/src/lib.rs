//! Mux emulator.
