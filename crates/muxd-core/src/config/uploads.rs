//! How direct uploads are made and played: the upload URL's CORS origin, the playback policy and
//! player, sizes, types, per-user limits, the spare-upload pool, media URLs, MP4 renditions, the
//! encoding asked for, links to private addresses, muxd's public URL and the URL signing key.
//! Read as one section of the settings.

use mux_api::PlaybackPolicy;
use muxd_domain::details;
use muxd_domain::encoding::Encoding;
use secrecy::SecretString;

use super::reader::{self, Reader};
use super::table;
use super::values::{http_url, optional_http_url, signing_key};

/// How direct uploads are made and played.
#[derive(Debug, Clone)]
pub struct UploadSettings {
    pub cors_origin: String,
    /// The policy of the playback ids uploads ask for (public or signed).
    pub playback_policy: PlaybackPolicy,
    pub stream_base_url: String,
    pub max_upload_bytes: u64,
    /// MIME types (or `type/*`) a client may announce.
    pub types: Vec<String>,
    /// Videos one user may have in one campaign (0: no limit).
    pub per_user_per_campaign: u64,
    /// Longest video kept, in seconds (0: no limit).
    pub max_duration_secs: u64,
    /// Spare direct uploads kept ready (see `pool.rs`); 0 turns the pool off.
    pub pool_size: usize,
    /// The most spares the pool grows to from demand.
    pub pool_max: usize,
    /// Creates one user may make per minute (0: no limit).
    pub per_user_per_minute: u32,
    /// Where thumbnail URLs point.
    pub image_base_url: String,
    /// Whether uploads ask Mux for the `highest` MP4 static rendition.
    pub mp4_renditions: bool,
    /// The video quality and resolution tier a create asks for unless its campaign says otherwise.
    pub encoding: Encoding,
    /// Whether a video may be created from a link to a private address.
    pub allow_private_inputs: bool,
    /// Where Mux reaches this muxd (to fetch supplied caption files), if configured.
    pub public_url: Option<String>,
    /// What pages play a video without an MP4 with.
    pub player: Player,
    /// The URL signing key playback tokens are signed with (signed playback).
    pub signing_key: Option<SigningKey>,
}

/// What pages play a video that has no MP4 with (`MUXD_PLAYER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Player {
    /// Mux Player, loaded from its pinned CDN file.
    MuxPlayer,
    /// A plain `<video>` (HLS where the browser plays it natively).
    Video,
}

/// A Mux URL signing key: its id and private key (checked to be an RSA key at start-up).
#[derive(Debug, Clone)]
pub struct SigningKey {
    pub id: String,
    pub private_key: SecretString,
}

impl UploadSettings {
    /// Reads the section (`None` after recording a problem); the signing key is required when
    /// `serve` plays signed.
    pub(super) fn read(read: &mut Reader<'_>, serve: bool) -> Option<UploadSettings> {
        let playback_policy = match read.optional(&table::MUXD_PLAYBACK_POLICY).as_deref() {
            Some("signed") => PlaybackPolicy::Signed,
            Some("public") | None => PlaybackPolicy::Public,
            Some(other) => {
                read.problem(
                    &table::MUXD_PLAYBACK_POLICY,
                    format!("{other:?} is not a playback policy"),
                    "set MUXD_PLAYBACK_POLICY=public or MUXD_PLAYBACK_POLICY=signed".into(),
                );
                PlaybackPolicy::Public
            }
        };
        let player = match read.optional(&table::MUXD_PLAYER).as_deref() {
            Some("mux-player") => Player::MuxPlayer,
            Some("video") => Player::Video,
            None => Player::MuxPlayer,
            Some(other) => {
                read.problem(
                    &table::MUXD_PLAYER,
                    format!("{other:?} is not a player"),
                    "set MUXD_PLAYER=mux-player or MUXD_PLAYER=video".into(),
                );
                Player::Video
            }
        };
        let pool_size: Option<usize> = read.parsed(&table::MUXD_UPLOAD_POOL_SIZE);
        let pool_max: Option<usize> = read.parsed(&table::MUXD_UPLOAD_POOL_MAX);
        let per_user_per_minute: Option<u32> =
            read.parsed(&table::MUXD_UPLOADS_PER_USER_PER_MINUTE);
        let max_upload_bytes = read.parsed(&table::MUXD_MAX_UPLOAD_BYTES);
        let types = types(read);
        let per_user_per_campaign: Option<u64> =
            read.parsed(&table::MUXD_UPLOADS_PER_USER_PER_CAMPAIGN);
        let max_duration_secs: Option<u64> = read.parsed(&table::MUXD_MAX_DURATION_SECS);
        let stream_base_url = http_url(read, &table::MUXD_STREAM_BASE_URL);
        let image_base_url = http_url(read, &table::MUXD_IMAGE_BASE_URL);
        let mp4_renditions: Option<bool> = read.parsed(&table::MUXD_MP4_RENDITIONS);
        let defaults = Encoding::default();
        let encoding = Encoding {
            quality: read
                .parsed(&table::MUXD_VIDEO_QUALITY)
                .unwrap_or(defaults.quality),
            max_tier: read
                .parsed(&table::MUXD_MAX_RESOLUTION_TIER)
                .unwrap_or(defaults.max_tier),
            captions: read
                .parsed(&table::MUXD_CAPTIONS)
                .unwrap_or(defaults.captions),
        };
        let public_url = optional_http_url(read, &table::MUXD_PUBLIC_URL);
        let private_inputs: Option<bool> = read.parsed(&table::MUXD_INPUT_ALLOW_PRIVATE_URLS);
        let signing_key = signing_key(read, serve && playback_policy == PlaybackPolicy::Signed);
        let cors_origin = read
            .optional(&table::MUXD_UPLOAD_CORS_ORIGIN)
            .unwrap_or_default();
        Some(UploadSettings {
            cors_origin,
            playback_policy,
            stream_base_url,
            max_upload_bytes: max_upload_bytes?,
            types,
            per_user_per_campaign: per_user_per_campaign.unwrap_or_default(),
            max_duration_secs: max_duration_secs.unwrap_or_default(),
            pool_size: pool_size.unwrap_or_default(),
            pool_max: pool_max.unwrap_or_default(),
            per_user_per_minute: per_user_per_minute.unwrap_or_default(),
            image_base_url,
            mp4_renditions: mp4_renditions.unwrap_or_default(),
            encoding,
            public_url,
            allow_private_inputs: private_inputs.unwrap_or_default(),
            player,
            signing_key,
        })
    }
}

/// The MIME types a client may announce (the table's default when unset); each must be one.
fn types(read: &mut Reader<'_>) -> Vec<String> {
    let types = read.list(&table::MUXD_UPLOAD_TYPES);
    let types = match types.is_empty() {
        true => reader::split(table::MUXD_UPLOAD_TYPES.default),
        false => types,
    };
    for kind in &types {
        if !details::is_type_pattern(kind) {
            read.problem(
                &table::MUXD_UPLOAD_TYPES,
                format!("{kind:?} is not a MIME type"),
                format!(
                    "set MUXD_UPLOAD_TYPES to {}",
                    table::MUXD_UPLOAD_TYPES.expected
                ),
            );
        }
    }
    types
}
