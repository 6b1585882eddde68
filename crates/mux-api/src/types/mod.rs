//! Typed requests and responses of the Mux endpoints muxd uses.

mod assets;
mod common;
mod uploads;

pub use assets::{
    Asset, AssetErrors, AssetStatus, ListAssetsParams, PlaybackId, PlaybackIdLookup,
    PlaybackObject, Track, UpdateAssetRequest,
};
pub(crate) use common::Data;
pub use common::{Page, PlaybackPolicy, Timestamp};
pub use uploads::{
    AssetMeta, CreateUploadRequest, ListUploadsParams, NewAssetSettings, Upload, UploadError,
    UploadStatus,
};
