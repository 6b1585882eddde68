//! Typed requests and responses of the Mux endpoints muxd uses.

mod assets;
mod common;
mod signing_keys;
mod uploads;

pub use assets::{
    Asset, AssetErrors, AssetInput, AssetStatus, CreateAssetRequest, CreateTrackRequest,
    GeneratedSubtitles, ListAssetsParams, PlaybackId, PlaybackIdLookup, PlaybackObject,
    RenditionFile, StaticRenditions, Track, UpdateAssetRequest,
};
pub(crate) use common::Data;
pub use common::{Page, PlaybackPolicy, Timestamp};
pub use signing_keys::SigningKey;
pub use uploads::{
    AssetMeta, CreateUploadRequest, ListUploadsParams, NewAssetSettings, Upload, UploadError,
    UploadStatus,
};
