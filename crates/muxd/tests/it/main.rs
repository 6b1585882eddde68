//! The one integration-test binary of the `muxd` crate: everything that needs a real database, a
//! real HTTP server or the `muxd` binary. `harness` owns the set-up; one module per area.

mod harness;
mod startup;
mod store;
