//! Admin-only tools (the guide's debug endpoints), each behind [`crate::auth::AdminUser`]:
//! assets (list with filters, resync, playback-id check, adopting one made outside muxd),
//! webhook events (log, replay) and processing times; and the host app's campaigns and outbound
//! webhook endpoints, kept by its backend.

pub mod adopt;
pub mod app_campaigns;
pub mod assets;
pub mod events;
pub mod processing;
pub mod processing_report;
pub mod webhook_endpoints;
