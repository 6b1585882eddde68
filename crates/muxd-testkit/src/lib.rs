//! What muxd's tests and benchmarks share, written once: [`app`] (`TestApp`: muxd serving on
//! loopback in front of a fresh database and an in-process Mux emulator, and `app_test!` to run
//! a test on both backends; [`proxy`], a TCP proxy that can cut PostgreSQL off); [`databases`] (a fresh SQLite file or a
//! throwaway PostgreSQL database per test or benchmark, dropped afterwards, with the loud skip
//! outside CI); a WebDriver client ([`webdriver`]) over Debian's headless Chromium
//! ([`chromedriver`]); and what the benchmarks share ([`bench`]: muxd's app on a database, served
//! on loopback, rows and the webhooks of their ready path, percentiles, results files). A
//! dev-dependency only; nothing here ships.

pub mod app;
pub mod bench;
pub mod chromedriver;
pub mod databases;
pub mod procs;
pub mod proxy;
pub mod webdriver;
