//! The one integration-test binary of the `muxd` crate: everything that needs a real database, a
//! real HTTP server or the `muxd` binary, and the check that imports point one way. `harness`,
//! `app`, `app_requests`, `chaos`, `media` and `process` own the set-up; one module per area
//! (`browser` drives headless Chromium through the pages).

mod admin;
mod adopt;
mod app;
mod app_campaigns;
mod app_instances;
mod app_requests;
mod authz;
mod bounds;
mod browser;
mod browser_auth;
mod bursts;
mod chaos;
mod chaos_suite;
mod commands;
mod dev;
mod dev_restart;
mod e2e;
mod encoding;
mod harness;
mod identity_provider;
mod jwks;
mod layers;
mod layers_scan;
mod limits;
mod live;
mod media;
mod multi_instance;
mod openapi;
mod operations;
mod outage;
mod outbound;
mod pages;
mod process;
mod processing_times;
mod prometheus;
mod reconcile;
mod renditions;
mod shutdown;
mod signed_playback;
mod startup;
mod store;
mod store_lifecycle;
mod store_retention;
mod store_rows;
mod store_webhooks;
mod strict_identity;
mod supply_chain;
mod traces;
mod tracking;
mod uploads;
mod warnings;
mod webhook_deliveries;
mod webhooks;
