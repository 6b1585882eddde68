//! Typed Mux Video API client.
