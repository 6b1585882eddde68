//! Admin-only tools (the guide's debug endpoints), each behind [`crate::web::auth::AdminUser`]:
//! assets (list with filters, resync, playback-id check) and webhook events (log, replay).

pub mod assets;
pub mod events;
