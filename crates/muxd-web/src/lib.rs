//! Inbound HTTP. [`router`] is THE route table; the rest is grouped by audience: [`api`] (the
//! app's users), [`admin`], [`pages`], [`webhooks`] (Mux) and [`health`] (operators), with the
//! shared extractors ([`auth`], [`extract`]), the one boundary error ([`error`]) and JSON
//! shapes ([`views`]). [`openapi`] describes the JSON routes as an OpenAPI document and page.
//! [`state`] is what handlers may reach.

pub mod admin;
pub mod api;
pub mod auth;
pub mod campaign_views;
pub mod detached;
pub mod error;
pub mod extract;
pub mod health;
pub mod log_views;
pub mod openapi;
pub mod pages;
pub mod playback_tokens;
pub mod router;
pub mod state;
pub mod views;
pub mod webhooks;

pub use error::ApiError;
