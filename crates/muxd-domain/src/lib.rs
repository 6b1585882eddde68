//! Pure rules of muxd: muxd's ids and Mux's, asset statuses and origins, caption files and text tracks, the Mux
//! events muxd understands, the monotonic asset lifecycle, webhook signatures, the reconciler's
//! polling schedule, what processing times measure and which hosts are this machine. Nothing here
//! does I/O; every other layer calls into it, never the other way round.

pub mod captions;
pub mod details;
pub mod encoding;
pub mod event;
pub mod ids;
pub mod interpret;
pub mod lifecycle;
pub mod limits;
pub mod loopback;
pub mod mux_ids;
pub mod origin;
pub mod outbound;
pub mod outcome;
pub mod playback_token;
pub mod policy;
pub mod processing;
pub mod replacement;
pub mod role;
pub mod schedule;
#[cfg(feature = "openapi")]
mod schemas;
pub mod signature;
pub mod status;
pub mod time;
pub mod tracks;

pub use event::{Cause, ErrorInfo, LifecycleEvent, MatchKeys, ReadyDetails};
pub use ids::{AppId, AssetId, CampaignId, ExternalUserId, InfluencerId, UserId};
pub use lifecycle::{AssetFacts, Change};
pub use mux_ids::{MuxAssetId, MuxUploadId, PlaybackId};
pub use origin::AssetOrigin;
pub use outcome::Outcome;
pub use policy::PlaybackPolicy;
pub use role::Role;
pub use status::AssetStatus;
