//! What "how long a video takes to become playable" means: the [`Stage`]s between muxd handing
//! out an upload URL and Mux saying the asset is ready, measured from the [`Milestones`] a row
//! records, and the [`SizeBand`]s uploads are grouped by. The histogram that records them is
//! named here with its buckets, so the metrics recorder (below the services) can take them.

use serde::Serialize;

/// The histogram of stage durations, in seconds, labelled `stage`, `tier` and `size_band`.
pub const METRIC: &str = "muxd_processing_seconds";
/// Its buckets, in seconds: from a second to four hours (a big file on a slow line).
pub const BUCKETS: [f64; 13] = [
    1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0, 14400.0,
];

/// The tier label of an asset whose resolution tier Mux did not give.
pub const UNKNOWN_TIER: &str = "unknown";

/// One step on the way to playable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// From the upload URL handed out until Mux has the whole file: the person's upload.
    Upload,
    /// From Mux having the file until the asset is ready: Mux's processing.
    Processing,
    /// Both: from the upload URL handed out until ready.
    Total,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Upload, Stage::Processing, Stage::Total];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Upload => "upload",
            Stage::Processing => "processing",
            Stage::Total => "total",
        }
    }
}

/// When one upload passed each point (unix ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Milestones {
    /// muxd handed out the upload URL (muxd's clock).
    pub created_at: i64,
    /// Mux had the whole file and created the asset (Mux's stamp).
    pub processing_at: Option<i64>,
    /// Mux said the asset was ready (Mux's stamp).
    pub ready_at: Option<i64>,
}

impl Milestones {
    /// How long `stage` took (ms), or `None` when an end is unknown or the span is negative (the
    /// two clocks disagree by more than the stage took).
    pub fn span_ms(&self, stage: Stage) -> Option<i64> {
        let (from, to) = match stage {
            Stage::Upload => (Some(self.created_at), self.processing_at),
            Stage::Processing => (self.processing_at, self.ready_at),
            Stage::Total => (Some(self.created_at), self.ready_at),
        };
        let span = to? - from?;
        (span >= 0).then_some(span)
    }
}

/// How big the uploader said the file was, in decimal megabytes and gigabytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SizeBand {
    Under10Mb,
    Under100Mb,
    Under1Gb,
    From1Gb,
    /// No size announced.
    Unknown,
}

impl SizeBand {
    /// The band of `bytes`, as announced when the upload was created.
    pub fn of(bytes: Option<i64>) -> SizeBand {
        const MB: i64 = 1_000_000;
        match bytes {
            None => SizeBand::Unknown,
            Some(n) if n < 10 * MB => SizeBand::Under10Mb,
            Some(n) if n < 100 * MB => SizeBand::Under100Mb,
            Some(n) if n < 1_000 * MB => SizeBand::Under1Gb,
            Some(_) => SizeBand::From1Gb,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SizeBand::Under10Mb => "lt_10mb",
            SizeBand::Under100Mb => "10_100mb",
            SizeBand::Under1Gb => "100mb_1gb",
            SizeBand::From1Gb => "gte_1gb",
            SizeBand::Unknown => "unknown",
        }
    }
}

/// The tier label of an asset: Mux's resolution tier, or [`UNKNOWN_TIER`].
pub fn tier(resolution_tier: Option<&str>) -> &str {
    resolution_tier.unwrap_or(UNKNOWN_TIER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_bands_split_at_10_mb_100_mb_and_1_gb() {
        for (bytes, band) in [
            (None, "unknown"),
            (Some(1), "lt_10mb"),
            (Some(9_999_999), "lt_10mb"),
            (Some(10_000_000), "10_100mb"),
            (Some(99_999_999), "10_100mb"),
            (Some(100_000_000), "100mb_1gb"),
            (Some(999_999_999), "100mb_1gb"),
            (Some(1_000_000_000), "gte_1gb"),
        ] {
            assert_eq!(SizeBand::of(bytes).as_str(), band, "{bytes:?}");
        }
    }

    #[test]
    fn a_stage_with_an_unknown_or_negative_span_is_skipped() {
        let times = Milestones {
            created_at: 1_000,
            processing_at: Some(500),
            ready_at: Some(4_000),
        };
        assert_eq!(times.span_ms(Stage::Upload), None, "clocks disagree");
        assert_eq!(times.span_ms(Stage::Processing), Some(3_500));
        assert_eq!(times.span_ms(Stage::Total), Some(3_000));
        let unknown = Milestones {
            processing_at: None,
            ..times
        };
        assert_eq!(unknown.span_ms(Stage::Upload), None);
        assert_eq!(unknown.span_ms(Stage::Processing), None);
        assert_eq!(unknown.span_ms(Stage::Total), Some(3_000));
    }
}
