//! Pure rules of muxd: ids, asset statuses, the Mux events muxd understands and the monotonic
//! asset lifecycle. Nothing here does I/O; `store`, `web` and `reconcile` call into it, never the
//! other way round.

pub mod event;
pub mod ids;
pub mod lifecycle;
pub mod signature;
pub mod status;

pub use event::{Cause, ErrorInfo, LifecycleEvent, MatchKeys, ReadyDetails};
pub use ids::{AssetId, CampaignId, InfluencerId, UserId};
pub use lifecycle::{AssetFacts, Change};
pub use status::AssetStatus;
