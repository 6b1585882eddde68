//! Inbound HTTP. [`router`] is THE route table; each other module serves one audience or area.

pub mod admin;
pub mod assets;
pub mod auth;
pub mod error;
pub mod health;
pub mod json;
pub mod live;
pub mod pages;
pub mod router;
pub mod uploads;
pub mod views;
pub mod webhooks;

pub use error::ApiError;
