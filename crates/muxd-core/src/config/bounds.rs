//! How much one user, or everyone together, may ask of one instance: edits per minute and open
//! live streams.

use super::reader::Reader;
use super::table::{self, Setting};

/// The bounds, validated.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// Edits one user may make per minute (0: no limit).
    pub edits_per_user_per_minute: u32,
    /// Open live streams per user.
    pub live_streams_per_user: usize,
    /// Open live streams in all.
    pub live_streams_per_instance: usize,
}

impl Bounds {
    /// Reads the bounds' settings, noting each problem on `read`.
    pub(super) fn read(read: &mut Reader<'_>) -> Bounds {
        let edits: Option<u32> = read.parsed(&table::MUXD_EDITS_PER_USER_PER_MINUTE);
        Bounds {
            edits_per_user_per_minute: edits.unwrap_or_default(),
            live_streams_per_user: at_least_one(read, &table::MUXD_LIVE_STREAMS_PER_USER),
            live_streams_per_instance: at_least_one(read, &table::MUXD_LIVE_STREAMS_PER_INSTANCE),
        }
    }
}

/// A count setting that must be 1 or more (0 would refuse everything); a problem otherwise.
fn at_least_one(read: &mut Reader<'_>, setting: &Setting) -> usize {
    let count: Option<usize> = read.parsed(setting);
    if count == Some(0) {
        read.problem(
            setting,
            "0 would refuse every request".into(),
            format!("set {} to {}", setting.name, setting.expected),
        );
    }
    count.unwrap_or(1)
}
