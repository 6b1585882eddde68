//! The app's users' JSON API (bearer token or session cookie): the token exchange for a session
//! cookie, uploads (from a file or a link), their assets and their captions, the live
//! stream of changes, and the campaigns they upload into.

pub mod assets;
pub mod campaigns;
pub mod captions;
pub mod links;
pub mod live;
pub mod replace;
pub mod session;
pub mod uploads;
