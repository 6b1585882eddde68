//! The one integration-test binary of the `muxd` crate: everything that needs a real database, a
//! real HTTP server or the `muxd` binary. `harness` and `app` own the set-up; one module per area.

mod admin;
mod app;
mod authz;
mod bursts;
mod chaos;
mod dev;
mod e2e;
mod harness;
mod operations;
mod outage;
mod reconcile;
mod startup;
mod store;
mod uploads;
mod webhooks;
